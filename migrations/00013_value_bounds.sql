-- +goose Up
-- Every number the registry stores is finite and within realistic bounds, for every
-- writer: a NaN in a numeric column passed ">= 0" (NaN sorts above every number) and
-- later emptied the reports, and 1e308 in an event took the 亩均 report down. The bounds
-- are generous (far above any real parcel, firm or county) and listed once, in
-- landreg_sys.value_bounds, which the event check reads, the columns' CHECKs repeat
-- (a test holds them equal) and the API publishes. Upper bounds also exclude NaN.
CREATE TABLE landreg_sys.value_bounds (
  tbl     text NOT NULL,
  field   text NOT NULL,
  min     numeric NOT NULL,
  max     numeric NOT NULL,
  -- The lower bound itself is not allowed (areas must be positive).
  min_exclusive boolean NOT NULL DEFAULT false,
  unit    text NOT NULL,
  PRIMARY KEY (tbl, field),
  CHECK (min < max)
);
COMMENT ON TABLE landreg_sys.value_bounds IS '数值范围 / the bounds of every stored number (columns and event payload keys)';

INSERT INTO landreg_sys.value_bounds (tbl, field, min, max, min_exclusive, unit) VALUES
  ('parcels', 'registered_area_m2', 0, 1e8, true, 'm²'),
  ('parcels', 'price_wan', 0, 1e7, false, '万元'),
  ('parcels', 'far_min', 0, 20, false, ''),
  ('parcels', 'far_max', 0, 20, false, ''),
  ('parcels', 'coverage_min', 0, 1, false, ''),
  ('parcels', 'invest_intensity_wan_per_mu', 0, 1e5, false, '万元/亩'),
  ('parcels', 'tax_per_mu_wan', 0, 1e4, false, '万元/亩'),
  ('parcels', 'va_per_mu_wan', 0, 1e5, false, '万元/亩'),
  ('parcels', 'energy_va_wan_per_tce', 0, 1e4, false, '万元/吨标准煤'),
  ('parcels', 'emission_va_wan_per_t', 0, 1e7, false, '万元/吨'),
  ('parcels', 'rd_ratio', 0, 1, false, ''),
  ('parcels', 'term_years', 1, 70, false, '年'),
  ('districts', 'baseline_area_m2', 0, 2e10, false, 'm²'),
  ('districts', 'minor_edit_m2', 0, 1e4, false, 'm²'),
  ('districts', 'comp_ratio', 1, 10, false, ''),
  ('idle_policy', 'production_grace_months', 0, 600, false, '月'),
  ('idle_policy', 'stopped_months', 0, 600, false, '月'),
  ('idle_policy', 'completion_grace_months', 0, 600, false, '月'),
  ('idle_policy', 'rampup_years', 0, 50, false, '年'),
  ('idle_policy', 'unused_share', 0, 1, false, ''),
  ('idle_policy', 'unused_min_mu', 0, 1e5, false, '亩'),
  ('idle_policy', 'low_eff_tax_per_mu_wan', 0, 1e4, false, '万元/亩'),
  ('idle_policy', 'coverage_floor', 0, 1, false, ''),
  ('idle_policy', 'far_floor', 0, 20, false, ''),
  ('idle_policy', 'idle_fee_share', 0, 1, false, ''),
  ('parcel_events', 'tax_wan', 0, 1e8, false, '万元'),
  ('parcel_events', 'va_wan', 0, 1e8, false, '万元'),
  ('parcel_events', 'rd_wan', 0, 1e8, false, '万元'),
  ('parcel_events', 'revenue_wan', 0, 1e8, false, '万元'),
  ('parcel_events', 'amount_wan', 0, 1e8, false, '万元'),
  ('parcel_events', 'energy_tce', 0, 1e8, false, '吨标准煤'),
  ('parcel_events', 'emission_t', 0, 1e8, false, '吨'),
  ('parcel_events', 'employees', 0, 1e6, false, '人'),
  ('parcel_events', 'land_mu_used', 0, 1.5e5, true, '亩'),
  ('parcel_events', 'floor_area_m2', 0, 2e9, false, 'm²'),
  ('parcel_events', 'unused_area_m2', 0, 1e8, false, 'm²'),
  ('parcel_events', 'far', 0, 20, false, ''),
  ('parcel_events', 'coverage', 0, 1, false, ''),
  ('parcel_events', 'developed_land_ratio', 0, 1, false, ''),
  ('parcel_events', 'invested_ratio', 0, 1, false, ''),
  ('parcel_events', 'year', 1900, 2199, false, '年');

ALTER TABLE parcels
  DROP CONSTRAINT parcels_registered_area_m2_check,
  ADD CONSTRAINT parcels_registered_area_m2_check CHECK (registered_area_m2 > 0 AND registered_area_m2 <= 1e8),
  DROP CONSTRAINT parcels_price_wan_check,
  ADD CONSTRAINT parcels_price_wan_check CHECK (price_wan BETWEEN 0 AND 1e7),
  DROP CONSTRAINT parcels_far_min_check,
  ADD CONSTRAINT parcels_far_min_check CHECK (far_min BETWEEN 0 AND 20),
  DROP CONSTRAINT parcels_far_max_check,
  ADD CONSTRAINT parcels_far_max_check CHECK (far_max BETWEEN 0 AND 20),
  DROP CONSTRAINT parcels_invest_intensity_wan_per_mu_check,
  ADD CONSTRAINT parcels_invest_intensity_wan_per_mu_check CHECK (invest_intensity_wan_per_mu BETWEEN 0 AND 1e5),
  DROP CONSTRAINT parcels_tax_per_mu_wan_check,
  ADD CONSTRAINT parcels_tax_per_mu_wan_check CHECK (tax_per_mu_wan BETWEEN 0 AND 1e4),
  DROP CONSTRAINT parcels_va_per_mu_wan_check,
  ADD CONSTRAINT parcels_va_per_mu_wan_check CHECK (va_per_mu_wan BETWEEN 0 AND 1e5),
  DROP CONSTRAINT parcels_energy_va_wan_per_tce_check,
  ADD CONSTRAINT parcels_energy_va_wan_per_tce_check CHECK (energy_va_wan_per_tce BETWEEN 0 AND 1e4),
  DROP CONSTRAINT parcels_emission_va_wan_per_t_check,
  ADD CONSTRAINT parcels_emission_va_wan_per_t_check CHECK (emission_va_wan_per_t BETWEEN 0 AND 1e7);

ALTER TABLE districts
  DROP CONSTRAINT districts_baseline_area_m2_check,
  ADD CONSTRAINT districts_baseline_area_m2_check CHECK (baseline_area_m2 BETWEEN 0 AND 2e10),
  DROP CONSTRAINT districts_minor_edit_m2_check,
  ADD CONSTRAINT districts_minor_edit_m2_check CHECK (minor_edit_m2 BETWEEN 0 AND 1e4),
  DROP CONSTRAINT districts_comp_ratio_check,
  ADD CONSTRAINT districts_comp_ratio_check CHECK (comp_ratio BETWEEN 1 AND 10);

ALTER TABLE idle_policy
  DROP CONSTRAINT idle_policy_production_grace_months_check,
  ADD CONSTRAINT idle_policy_production_grace_months_check CHECK (production_grace_months BETWEEN 0 AND 600),
  DROP CONSTRAINT idle_policy_stopped_months_check,
  ADD CONSTRAINT idle_policy_stopped_months_check CHECK (stopped_months BETWEEN 0 AND 600),
  DROP CONSTRAINT idle_policy_completion_grace_months_check,
  ADD CONSTRAINT idle_policy_completion_grace_months_check CHECK (completion_grace_months BETWEEN 0 AND 600),
  DROP CONSTRAINT idle_policy_rampup_years_check,
  ADD CONSTRAINT idle_policy_rampup_years_check CHECK (rampup_years BETWEEN 0 AND 50),
  DROP CONSTRAINT idle_policy_unused_min_mu_check,
  ADD CONSTRAINT idle_policy_unused_min_mu_check CHECK (unused_min_mu BETWEEN 0 AND 1e5),
  DROP CONSTRAINT idle_policy_low_eff_tax_per_mu_wan_check,
  ADD CONSTRAINT idle_policy_low_eff_tax_per_mu_wan_check CHECK (low_eff_tax_per_mu_wan BETWEEN 0 AND 1e4),
  DROP CONSTRAINT idle_policy_far_floor_check,
  ADD CONSTRAINT idle_policy_far_floor_check CHECK (far_floor BETWEEN 0 AND 20);

-- Legal dates lie in 1900–2199: PostgreSQL takes 'infinity' and the year 200000, and
-- either breaks every date computation downstream.
ALTER TABLE parcels
  ADD CONSTRAINT parcels_dates_check CHECK (
    coalesce(contract_date, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(agreed_delivery, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(agreed_start, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(agreed_completion, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(agreed_rampup_review, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND valid_from BETWEEN '1900-01-01' AND '2199-12-31');
ALTER TABLE block_lines
  ADD CONSTRAINT block_lines_dates_check CHECK (valid_from BETWEEN '1900-01-01' AND '2199-12-31');
ALTER TABLE parcel_events
  ADD CONSTRAINT parcel_events_dates_check CHECK (event_date BETWEEN '1900-01-01' AND '2199-12-31');
ALTER TABLE adjustments
  ADD CONSTRAINT adjustments_dates_check CHECK (
    effective_date BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(publicity_from, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(publicity_to, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(approved_on, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31');
ALTER TABLE districts
  ADD CONSTRAINT districts_dates_check CHECK (
    coalesce(baseline_date, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(rule_start, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31'
    AND coalesce(rule_end, '2000-01-01') BETWEEN '1900-01-01' AND '2199-12-31');

-- An event is corrected at most once; a correction of a correction names the latest.
DROP INDEX parcel_events_supersedes;
CREATE UNIQUE INDEX parcel_events_supersedes ON parcel_events (supersedes) WHERE supersedes IS NOT NULL;

-- +goose Down
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00013 cannot be undone; restore from a backup / 00013 不可回退'; END $$;
-- +goose StatementEnd
