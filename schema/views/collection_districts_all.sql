-- Every version of every district, current and closed, as /collections/districts serves
-- them for datetime= (columns: see collection_districts.sql). A feature id repeats once
-- per version: (id, version) is the key. The properties are those of
-- collection_districts.sql with valid_to filled in.
CREATE VIEW collection_districts_all AS
  SELECT t.xzqdm::int8 AS id, t.version, t.valid_from, t.valid_to, t.geom,
    json_build_object('id', t.xzqdm::int8, 'xzqdm', t.xzqdm, 'name', t.name,
      'baseline_area_m2', round(t.baseline_area_m2::numeric, 2),
      'baseline_area_mu', round(landreg_sys.m2_to_mu(t.baseline_area_m2)::numeric, 4),
      'baseline_doc', t.baseline_doc, 'baseline_date', t.baseline_date,
      'rule_start', t.rule_start, 'rule_end', t.rule_end, 'comp_ratio', t.comp_ratio,
      'level_for_level', t.level_for_level, 'minor_edit_m2', t.minor_edit_m2, 'include_logistics', t.include_logistics,
      'gk_srid', t.gk_srid, 'doc_no', t.doc_no, 'valid_from', t.valid_from, 'valid_to', t.valid_to, 'version', t.version,
      'synthetic', t.synthetic, 'area_m2', round(t.area_m2::numeric, 2),
      'area_mu', round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 4),
      'area_ha', round(landreg_sys.m2_to_ha(t.area_m2)::numeric, 4))::text AS props,
    t.xzqdm, t.name, t.doc_no, t.area_m2
  FROM (SELECT d.xzqdm, d.name, d.geom, d.baseline_area_m2, d.baseline_doc, d.baseline_date, d.rule_start, d.rule_end,
               d.comp_ratio, d.level_for_level, d.minor_edit_m2, d.include_logistics, d.gk_srid, d.doc_no, d.valid_from,
               NULL::date AS valid_to, d.version, d.synthetic, d.area_m2
        FROM districts d
        UNION ALL
        SELECT h.xzqdm, h.name, h.geom, h.baseline_area_m2, h.baseline_doc, h.baseline_date, h.rule_start, h.rule_end,
               h.comp_ratio, h.level_for_level, h.minor_edit_m2, h.include_logistics, h.gk_srid, h.doc_no, h.valid_from,
               h.valid_to, h.version, h.synthetic, h.area_m2
        FROM districts_history h) t;

COMMENT ON VIEW collection_districts_all IS '行政区全部版本（与 API 一致）/ every district version as the API serves it';
