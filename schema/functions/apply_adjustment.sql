-- Applying an adjustment: cut the removal parts out of the district's current lines and
-- add the addition parts (to a named line of the same level, or as a new line). The rule
-- check runs at commit (or at SET CONSTRAINTS ... IMMEDIATE for a preview).
CREATE OR REPLACE FUNCTION landreg_sys.apply_adjustment(aid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  a       adjustments%ROWTYPE;
  preview boolean := coalesce(current_setting('landreg.preview', true), '') = 'on';
  cut     geometry;
  l       record;
  p       record;
  g       geometry;
  seqno   integer;
BEGIN
  SELECT * INTO a FROM adjustments WHERE id = aid FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION '调整方案 % 不存在 / adjustment % does not exist', aid, aid USING ERRCODE = 'LRA01';
  END IF;
  IF preview THEN
    IF a.status IN ('applied', 'rejected', 'withdrawn') THEN
      RAISE EXCEPTION '调整方案 % 已%，无法预览 / adjustment % is %, nothing to preview', aid, a.status, aid, a.status USING ERRCODE = 'LRA02';
    END IF;
  ELSIF a.status <> 'approved' THEN
    RAISE EXCEPTION '调整方案 % 未批准（状态 %）/ adjustment % is not approved (status %)', aid, a.status, aid, a.status
      USING ERRCODE = 'LRA02';
  END IF;
  PERFORM set_config('landreg.adjustment_id', aid::text, true);
  PERFORM set_config('landreg.effective_date', a.effective_date::text, true);
  IF a.reason IS NOT NULL AND coalesce(current_setting('landreg.reason', true), '') = '' THEN
    PERFORM set_config('landreg.reason', a.reason, true);
  END IF;

  SELECT ST_Union(geom) INTO cut FROM adjustment_parts WHERE adjustment_id = aid AND role = 'removal';
  IF cut IS NOT NULL THEN
    FOR l IN SELECT id, geom FROM block_lines
             WHERE xzqdm = a.xzqdm AND geom && cut AND ST_Relate(geom, cut, '2********') ORDER BY id LOOP
      g := ST_Multi(ST_CollectionExtract(ST_Difference(l.geom, cut), 3));
      IF ST_IsEmpty(g) OR ST_Area(g::geography) < 0.01 THEN
        DELETE FROM block_lines WHERE id = l.id;
      ELSE
        UPDATE block_lines SET geom = g, adjustment_id = aid, approval_doc = coalesce(a.doc_no, approval_doc),
                               valid_from = a.effective_date
        WHERE id = l.id;
      END IF;
    END LOOP;
  END IF;

  FOR p IN SELECT * FROM adjustment_parts WHERE adjustment_id = aid AND role = 'addition' ORDER BY seq LOOP
    IF p.line_code IS NOT NULL AND EXISTS (SELECT 1 FROM block_lines WHERE code = p.line_code) THEN
      SELECT id, level, xzqdm, geom INTO l FROM block_lines WHERE code = p.line_code;
      IF l.level <> p.level OR l.xzqdm <> a.xzqdm THEN
        RAISE EXCEPTION '调入图斑 % 的级别或行政区与区块线 % 不符 / addition % does not match the level or district of line %',
          p.seq, p.line_code, p.seq, p.line_code USING ERRCODE = 'LRA03';
      END IF;
      UPDATE block_lines SET geom = ST_Multi(ST_CollectionExtract(ST_Union(l.geom, p.geom), 3)),
                             adjustment_id = aid, approval_doc = coalesce(a.doc_no, approval_doc),
                             valid_from = a.effective_date
      WHERE id = l.id;
    ELSE
      SELECT coalesce(max(substring(code FROM '-GYQK-([0-9]+)$')::int), 0) + 1 INTO seqno
      FROM (SELECT code FROM block_lines WHERE xzqdm = a.xzqdm
            UNION ALL SELECT code FROM block_lines_history WHERE xzqdm = a.xzqdm) c;
      INSERT INTO block_lines (code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from)
      VALUES (coalesce(p.line_code, format('%s-GYQK-%s', a.xzqdm, lpad(seqno::text, 2, '0'))),
              coalesce(p.line_name, format('%s调入区块%s', CASE p.level WHEN 1 THEN '一级' ELSE '二级' END, seqno)),
              a.xzqdm, p.level, p.geom, a.doc_no, aid, a.effective_date);
    END IF;
  END LOOP;

  IF NOT preview THEN
    UPDATE adjustments SET status = 'applied', applied_at = now(), applied_by = landreg_sys.actor() WHERE id = aid;
  END IF;
END
$$;
