-- +goose Up
-- The GeoJSON properties of a parcel version (props_json) as a row type, so that the
-- parcels trigger builds them with row_to_json(ROW(NEW.…)::landreg_sys.parcel_properties):
-- one expression, without running a query per row (issue 18: a third of the trigger's
-- cost in a 200,000-parcel import). The fields are the properties in their order; a
-- column added to parcels that is a property goes here too (schema/functions/parcel_props_row.sql).
CREATE TYPE landreg_sys.parcel_properties AS (
  zddm text, bdcdyh text, cert_no text, xzqdm text, location text, project_name text, holder_name text,
  holder_uscc text, landuse_code text, landuse_system text, industry_code text, registered_area_m2 numeric,
  supply_method text, supervision_no text, contract_no text, contract_date date, price_wan numeric,
  term_years integer, is_standard_land boolean, agreed_delivery date, agreed_start date, agreed_completion date,
  agreed_rampup_review date, far_min numeric, far_max numeric, coverage_min numeric,
  invest_intensity_wan_per_mu numeric, tax_per_mu_wan numeric, va_per_mu_wan numeric,
  energy_va_wan_per_tce numeric, emission_va_wan_per_t numeric, rd_ratio numeric, valid_from date,
  valid_to date, version integer, area_m2 numeric, area_mu numeric, area_ha numeric);

-- +goose Down
DROP TYPE landreg_sys.parcel_properties;
