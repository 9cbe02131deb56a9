-- The current block lines as /collections/block_lines serves them (columns: see
-- collection_districts.sql). Reads block_lines only, never history: the current path
-- stays as fast as the table. collection_block_lines_all.sql builds the same
-- properties for every version; the two are held equal by a test (store).
CREATE VIEW collection_block_lines AS
  SELECT t.id, t.version, t.valid_from, NULL::date AS valid_to, t.geom,
    json_build_object('id', t.id, 'code', t.code, 'name', t.name, 'xzqdm', t.xzqdm,
      'level', t.level, 'level_name', CASE t.level WHEN 1 THEN '一级' ELSE '二级' END,
      'approval_doc', t.approval_doc, 'adjustment_id', t.adjustment_id,
      'valid_from', t.valid_from, 'valid_to', NULL::date, 'version', t.version,
      'area_m2', round(t.area_m2::numeric, 2),
      'area_mu', round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 4),
      'area_ha', round(landreg_sys.m2_to_ha(t.area_m2)::numeric, 4))::text AS props,
    t.code, t.name, t.xzqdm, t.level, t.approval_doc, t.adjustment_id, t.area_m2
  FROM block_lines t;

COMMENT ON VIEW collection_block_lines IS '现行工业区块线（与 API 一致）/ current block lines as the API serves them';
