-- The GeoJSON properties of a parcel version (props_json), straight from its columns
-- (row_to_json of the row type landreg_sys.parcel_properties, migration 00028: the
-- property order is the type's). valid_to is null for the current version; "as of"
-- queries set it. area_m2 is a generated column, computed only after BEFORE triggers:
-- computed here. The columns are read from NEW in one expression (issue 18): passed to a
-- function as a row, every column read walked the flattened row again, and a query per
-- row cost more than building the JSON.
DROP FUNCTION IF EXISTS landreg_sys.parcel_props(parcels, double precision);
CREATE OR REPLACE FUNCTION landreg_sys.parcel_props_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  a double precision := ST_Area(NEW.geom::geography);
BEGIN
  NEW.props_json := row_to_json(ROW(NEW.zddm, NEW.bdcdyh, NEW.cert_no, NEW.xzqdm, NEW.location, NEW.project_name,
    NEW.holder_name, NEW.holder_uscc, NEW.landuse_code, NEW.landuse_system, NEW.industry_code,
    NEW.registered_area_m2, NEW.supply_method, NEW.supervision_no, NEW.contract_no, NEW.contract_date,
    NEW.price_wan, NEW.term_years, NEW.is_standard_land, NEW.agreed_delivery, NEW.agreed_start,
    NEW.agreed_completion, NEW.agreed_rampup_review, NEW.far_min, NEW.far_max, NEW.coverage_min,
    NEW.invest_intensity_wan_per_mu, NEW.tax_per_mu_wan, NEW.va_per_mu_wan, NEW.energy_va_wan_per_tce,
    NEW.emission_va_wan_per_t, NEW.rd_ratio, NEW.valid_from, NULL::date, NEW.version,
    round(a::numeric, 2), round(landreg_sys.m2_to_mu(a)::numeric, 4),
    round(landreg_sys.m2_to_ha(a)::numeric, 4))::landreg_sys.parcel_properties)::text;
  RETURN NEW;
END
$$;
