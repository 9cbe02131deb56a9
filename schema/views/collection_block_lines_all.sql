-- Every version of every block line, current and closed, as /collections/block_lines
-- serves them for datetime= (columns: see collection_districts.sql). A feature id
-- repeats once per version: (id, version) is the key. The properties are those of
-- collection_block_lines.sql with valid_to filled in.
CREATE VIEW collection_block_lines_all AS
  SELECT t.id, t.version, t.valid_from, t.valid_to, t.geom,
    json_build_object('id', t.id, 'code', t.code, 'name', t.name, 'xzqdm', t.xzqdm,
      'level', t.level, 'level_name', CASE t.level WHEN 1 THEN '一级' ELSE '二级' END,
      'approval_doc', t.approval_doc, 'adjustment_id', t.adjustment_id,
      'valid_from', t.valid_from, 'valid_to', t.valid_to, 'version', t.version,
      'area_m2', round(t.area_m2::numeric, 2),
      'area_mu', round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 4),
      'area_ha', round(landreg_sys.m2_to_ha(t.area_m2)::numeric, 4))::text AS props,
    t.code, t.name, t.xzqdm, t.level, t.approval_doc, t.adjustment_id, t.area_m2
  FROM (SELECT b.id, b.version, b.valid_from, NULL::date AS valid_to, b.geom, b.code, b.name, b.xzqdm, b.level,
               b.approval_doc, b.adjustment_id, b.area_m2
        FROM block_lines b
        UNION ALL
        SELECT h.id, h.version, h.valid_from, h.valid_to, h.geom, h.code, h.name, h.xzqdm, h.level,
               h.approval_doc, h.adjustment_id, h.area_m2
        FROM block_lines_history h) t;

COMMENT ON VIEW collection_block_lines_all IS '工业区块线全部版本（与 API 一致）/ every block-line version as the API serves it';
