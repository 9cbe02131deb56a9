-- The block-line edits of an adjustment: removal parts cut out of the district's current
-- lines, addition parts added to the named line of the same level or drawn as a new line.
-- The caller holds the district's lock (adjustment_for_edit); lines are read FOR UPDATE.
CREATE OR REPLACE FUNCTION landreg_sys.edit_lines_for(a adjustments) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cut   geometry;
  l     record;
  p     record;
  g     geometry;
  seqno integer;
BEGIN
  SELECT ST_Union(geom) INTO cut FROM adjustment_parts WHERE adjustment_id = a.id AND role = 'removal';
  IF cut IS NOT NULL THEN
    FOR l IN SELECT id, geom FROM block_lines
             WHERE xzqdm = a.xzqdm AND geom && cut AND ST_Relate(geom, cut, '2********') ORDER BY id
             FOR UPDATE LOOP
      g := ST_Multi(ST_CollectionExtract(ST_Difference(l.geom, cut), 3));
      IF ST_IsEmpty(g) OR ST_Area(g::geography) < 0.01 THEN
        DELETE FROM block_lines WHERE id = l.id;
      ELSE
        UPDATE block_lines SET geom = g, adjustment_id = a.id, approval_doc = coalesce(a.doc_no, approval_doc),
                               valid_from = a.effective_date
        WHERE id = l.id;
      END IF;
    END LOOP;
  END IF;

  FOR p IN SELECT * FROM adjustment_parts WHERE adjustment_id = a.id AND role = 'addition' ORDER BY seq LOOP
    SELECT id, level, xzqdm, geom INTO l FROM block_lines WHERE p.line_code IS NOT NULL AND code = p.line_code FOR UPDATE;
    IF FOUND THEN
      IF l.level <> p.level OR l.xzqdm <> a.xzqdm THEN
        RAISE EXCEPTION '调入图斑 % 的级别或行政区与区块线 % 不符 / addition % does not match the level or district of line %',
          p.seq, p.line_code, p.seq, p.line_code USING ERRCODE = 'LRA03';
      END IF;
      UPDATE block_lines SET geom = ST_Multi(ST_CollectionExtract(ST_Union(l.geom, p.geom), 3)),
                             adjustment_id = a.id, approval_doc = coalesce(a.doc_no, approval_doc),
                             valid_from = a.effective_date
      WHERE id = l.id;
    ELSE
      SELECT coalesce(max(substring(code FROM '-GYQK-([0-9]+)$')::int), 0) + 1 INTO seqno
      FROM (SELECT code FROM block_lines WHERE xzqdm = a.xzqdm
            UNION ALL SELECT code FROM block_lines_history WHERE xzqdm = a.xzqdm) c;
      INSERT INTO block_lines (code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from)
      VALUES (coalesce(p.line_code, format('%s-GYQK-%s', a.xzqdm, lpad(seqno::text, 2, '0'))),
              coalesce(p.line_name, format('%s调入区块%s', CASE p.level WHEN 1 THEN '一级' ELSE '二级' END, seqno)),
              a.xzqdm, p.level, p.geom, a.doc_no, a.id, a.effective_date);
    END IF;
  END LOOP;
END
$$;
