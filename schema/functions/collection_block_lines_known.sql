-- Every block-line version as the register held it at system time k, with the columns
-- of collection_block_lines_all (schema/views): /collections/block_lines?known_at= reads
-- it, filtered by legal date as that view is. SQL and inlined, so the caller's
-- predicates reach both tables' indexes.
CREATE OR REPLACE FUNCTION landreg_sys.collection_block_lines_known(k timestamptz)
RETURNS TABLE (id bigint, version integer, valid_from date, valid_to date, geom geometry(MultiPolygon, 4490),
  props text, code text, name text, xzqdm text, level smallint, approval_doc text, adjustment_id bigint,
  area_m2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT t.id, t.version, t.valid_from, t.valid_to, t.geom,
    json_build_object('id', t.id, 'code', t.code, 'name', t.name, 'xzqdm', t.xzqdm,
      'level', t.level, 'level_name', CASE t.level WHEN 1 THEN '一级' ELSE '二级' END,
      'approval_doc', t.approval_doc, 'adjustment_id', t.adjustment_id,
      'valid_from', t.valid_from, 'valid_to', t.valid_to, 'version', t.version,
      'area_m2', round(t.area_m2::numeric, 2),
      'area_mu', round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 4),
      'area_ha', round(landreg_sys.m2_to_ha(t.area_m2)::numeric, 4))::text,
    t.code, t.name, t.xzqdm, t.level, t.approval_doc, t.adjustment_id, t.area_m2
  FROM landreg_sys.block_lines_known(k) t
$$;
