-- The GeoJSON properties of a parcel version, straight from its columns (row_to_json
-- of a select list: the property order is the list's). valid_to is null for the
-- current version; "as of" queries set it.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_props(p parcels, area_m2 double precision) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT row_to_json(x)::text FROM (SELECT p.zddm, p.bdcdyh, p.cert_no, p.xzqdm, p.location, p.project_name,
    p.holder_name, p.holder_uscc, p.landuse_code, p.landuse_system, p.industry_code, p.registered_area_m2,
    p.supply_method, p.supervision_no, p.contract_no, p.contract_date, p.price_wan, p.term_years,
    p.is_standard_land, p.agreed_delivery, p.agreed_start, p.agreed_completion, p.agreed_rampup_review,
    p.far_min, p.far_max, p.coverage_min, p.invest_intensity_wan_per_mu, p.tax_per_mu_wan, p.va_per_mu_wan,
    p.energy_va_wan_per_tce, p.emission_va_wan_per_t, p.rd_ratio, p.valid_from, NULL::date AS valid_to,
    p.version, round(area_m2::numeric, 2) AS area_m2, round(landreg_sys.m2_to_mu(area_m2)::numeric, 4) AS area_mu,
    round(landreg_sys.m2_to_ha(area_m2)::numeric, 4) AS area_ha) x
$$;
