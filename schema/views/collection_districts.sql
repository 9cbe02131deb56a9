-- The districts collection exactly as /collections/districts serves it (Go's store
-- reads this view and nothing else). Every collection_* view and
-- collection_parcel_status() has the same leading columns (docs/decisions.md,
-- "Collections are views"): id, version, valid_from, valid_to, geom, props (the
-- GeoJSON properties as text), then one column per queryable (package catalog).
-- The properties begin with the feature id: GDAL and QGIS number features themselves
-- and keep only properties, and the /v1 endpoints need the id.
-- The current versions only; collection_districts_all.sql builds the same properties
-- for every version (issue 13), held equal by a test (store).
CREATE VIEW collection_districts AS
  SELECT t.xzqdm::int8 AS id, t.version, t.valid_from, NULL::date AS valid_to, t.geom,
    json_build_object('id', t.xzqdm::int8, 'xzqdm', t.xzqdm, 'name', t.name,
      'baseline_area_m2', round(t.baseline_area_m2::numeric, 2),
      'baseline_area_mu', round(landreg_sys.m2_to_mu(t.baseline_area_m2)::numeric, 4),
      'baseline_doc', t.baseline_doc, 'baseline_date', t.baseline_date,
      'rule_start', t.rule_start, 'rule_end', t.rule_end, 'comp_ratio', t.comp_ratio,
      'level_for_level', t.level_for_level, 'minor_edit_m2', t.minor_edit_m2, 'include_logistics', t.include_logistics,
      'gk_srid', t.gk_srid, 'doc_no', t.doc_no, 'valid_from', t.valid_from, 'valid_to', NULL::date, 'version', t.version,
      'synthetic', t.synthetic, 'area_m2', round(t.area_m2::numeric, 2),
      'area_mu', round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 4),
      'area_ha', round(landreg_sys.m2_to_ha(t.area_m2)::numeric, 4))::text AS props,
    t.xzqdm, t.name, t.doc_no, t.area_m2
  FROM districts t;

COMMENT ON VIEW collection_districts IS '行政区（与 API 一致）/ the districts collection as the API serves it';
