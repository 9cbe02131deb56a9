-- +goose Up
-- Annual indicators of enterprises (企业年度亩均指标, issue 13.5; domain.md §4, §8.5): the
-- tax and economic bureaus send one row per enterprise and year, and 亩均 is judged per
-- enterprise, so the figures belong to the enterprise, not to one of its parcels. One
-- current row per (uscc, year); a correction replaces it and the row it replaces goes
-- to enterprise_indicators_history with its system time, so a figure is never
-- overwritten silently and "as known at" queries replay what was on file. Parcels'
-- ANNUAL_INDICATORS events stay as the legacy source for the years an enterprise has no
-- row (docs/decisions.md, "Enterprise indicators and one 低效 verdict").
CREATE TABLE enterprise_indicators (
  uscc         text NOT NULL REFERENCES enterprises,
  year         integer NOT NULL CHECK (year BETWEEN 1900 AND 2199),
  -- 评价税收 (万元): the figure 亩均税收 is made of, so it is required.
  tax_wan      numeric NOT NULL CHECK (tax_wan BETWEEN 0 AND 1e8),
  va_wan       numeric CHECK (va_wan BETWEEN 0 AND 1e8),
  energy_tce   numeric CHECK (energy_tce BETWEEN 0 AND 1e8),
  emission_t   numeric CHECK (emission_t BETWEEN 0 AND 1e8),
  employees    numeric CHECK (employees BETWEEN 0 AND 1e6),
  rd_wan       numeric CHECK (rd_wan BETWEEN 0 AND 1e8),
  revenue_wan  numeric CHECK (revenue_wan BETWEEN 0 AND 1e8),
  -- 用地面积 (亩) as the bureau counts it (自有 + 承租 − 出租); NULL: the registered area
  -- of the parcels the enterprise holds at the end of the year.
  land_mu_used numeric CHECK (land_mu_used > 0 AND land_mu_used <= 1.5e5),
  -- 累计固定资产投资 (万元, land price included, domain.md §3).
  invest_wan   numeric CHECK (invest_wan BETWEEN 0 AND 1e8),
  -- The legal date of the figures (the bureau's file); a year counts from the later of
  -- this day and 1 January after the year, as an ANNUAL_INDICATORS event does.
  reported_on  date NOT NULL CHECK (reported_on BETWEEN '1900-01-01' AND '2199-12-31'),
  source       text CHECK (source IS NULL OR btrim(source) <> ''),
  version      integer NOT NULL DEFAULT 1,
  sys_from     timestamptz NOT NULL DEFAULT now(),
  created_by   text,
  reason       text,
  PRIMARY KEY (uscc, year)
);

COMMENT ON TABLE enterprise_indicators IS '企业年度亩均指标 / annual indicators per enterprise and year (current versions)';
COMMENT ON COLUMN enterprise_indicators.land_mu_used IS '用地面积（亩）/ land used as reported; NULL = titled parcels at year end';
COMMENT ON COLUMN enterprise_indicators.invest_wan IS '累计固定资产投资（万元）/ cumulative fixed-asset investment';

-- Replaced and deleted versions, with when and by whom they were closed.
CREATE TABLE enterprise_indicators_history (
  sys_to       timestamptz NOT NULL,
  retired      boolean NOT NULL,
  closed_by    text NOT NULL,
  close_reason text,
  LIKE enterprise_indicators,
  PRIMARY KEY (uscc, year, version)
);

COMMENT ON TABLE enterprise_indicators_history IS '企业年度指标历史版本 / replaced versions of enterprise indicators';

INSERT INTO landreg_sys.value_bounds (tbl, field, min, max, min_exclusive, unit) VALUES
  ('enterprise_indicators', 'year', 1900, 2199, false, '年'),
  ('enterprise_indicators', 'tax_wan', 0, 1e8, false, '万元'),
  ('enterprise_indicators', 'va_wan', 0, 1e8, false, '万元'),
  ('enterprise_indicators', 'energy_tce', 0, 1e8, false, '吨标准煤'),
  ('enterprise_indicators', 'emission_t', 0, 1e8, false, '吨'),
  ('enterprise_indicators', 'employees', 0, 1e6, false, '人'),
  ('enterprise_indicators', 'rd_wan', 0, 1e8, false, '万元'),
  ('enterprise_indicators', 'revenue_wan', 0, 1e8, false, '万元'),
  ('enterprise_indicators', 'land_mu_used', 0, 1.5e5, true, '亩'),
  ('enterprise_indicators', 'invest_wan', 0, 1e8, false, '万元');

-- The verdict on an enterprise for a year (landreg_sys.enterprise_verdicts): its figures,
-- the land they are divided by, and 低效 (NULL: not judged, no land).
CREATE TYPE landreg_sys.enterprise_verdict AS (
  uscc           text,
  year           integer,
  xzqdm          text,
  source         text,             -- enterprise (enterprise_indicators) | events (ANNUAL_INDICATORS)
  counts_from    date,
  tax_wan        double precision,
  va_wan         double precision,
  energy_tce     double precision,
  emission_t     double precision,
  employees      double precision,
  rd_wan         double precision,
  revenue_wan    double precision,
  invest_wan     double precision,
  land_mu        double precision,
  land_source    text,             -- reported | parcels | none
  threshold      double precision,
  tax_per_mu     double precision,
  low_efficiency boolean
);

-- +goose Down
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00020 cannot be undone; restore from a backup / 00020 不可回退'; END $$;
-- +goose StatementEnd
