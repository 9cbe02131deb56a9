-- The districts collection exactly as /collections/districts serves it (Go's store
-- reads this view and nothing else). Every collection_* view and
-- collection_parcel_status() has the same leading columns (docs/decisions.md,
-- "Collections are views"): id, version, valid_from, valid_to, geom, props (the
-- GeoJSON properties as text), then one column per queryable (package catalog).
-- Districts keep no versions: version, valid_from and valid_to are NULL.
CREATE VIEW collection_districts AS
  SELECT t.xzqdm::int8 AS id, NULL::integer AS version, NULL::date AS valid_from, NULL::date AS valid_to, t.geom,
    json_build_object('xzqdm', t.xzqdm, 'name', t.name,
      'baseline_area_m2', round(t.baseline_area_m2::numeric, 2),
      'baseline_area_mu', round(landreg_sys.m2_to_mu(t.baseline_area_m2)::numeric, 4),
      'baseline_doc', t.baseline_doc, 'baseline_date', t.baseline_date,
      'rule_start', t.rule_start, 'rule_end', t.rule_end, 'comp_ratio', t.comp_ratio,
      'synthetic', t.synthetic, 'area_m2', round(t.area_m2::numeric, 2),
      'area_mu', round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 4),
      'area_ha', round(landreg_sys.m2_to_ha(t.area_m2)::numeric, 4))::text AS props,
    t.xzqdm, t.name, t.area_m2
  FROM districts t;

COMMENT ON VIEW collection_districts IS '行政区（与 API 一致）/ the districts collection as the API serves it';
