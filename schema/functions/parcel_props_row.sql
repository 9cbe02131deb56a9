-- The GeoJSON properties of a parcel version (props_json), straight from its columns
-- (row_to_json of the row type landreg_sys.parcel_properties, migration 00028: the
-- property order is the type's). valid_to is null for the current version; "as of"
-- queries set it. The area (area_m2) is computed here once and set on the row too
-- (issue 18.4: it was a generated column as well, the geodesic area twice per row); like
-- a generated column it cannot be written: an insert stating an area other than the
-- geometry's is refused (LR002), never replaced silently; an update that sets it,
-- landreg_sys.parcel_area_written. The columns are read from NEW in one expression (issue 18): passed to a
-- function as a row, every column read walked the flattened row again, and a query per
-- row cost more than building the JSON.
DROP FUNCTION IF EXISTS landreg_sys.parcel_props(parcels, double precision);
CREATE OR REPLACE FUNCTION landreg_sys.parcel_props_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  a double precision := ST_Area(NEW.geom::geography);
BEGIN
  IF TG_OP = 'INSERT' AND NEW.area_m2 IS DISTINCT FROM a AND NEW.area_m2 IS NOT NULL THEN
    RAISE EXCEPTION '面积 area_m2 由几何计算，不可填写（% ≠ %） / area_m2 is computed from the geometry and cannot be written (% ≠ %)',
      NEW.area_m2, a, NEW.area_m2, a USING ERRCODE = 'LR002', COLUMN = 'area_m2', TABLE = TG_TABLE_NAME;
  END IF;
  NEW.area_m2 := a;
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
