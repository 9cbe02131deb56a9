-- A new boundary keeps the district's current block lines inside it, with the tolerance
-- block_lines_territory gives a line (0.5 m on the district's Gauss-Krüger plane):
-- otherwise the change of boundary would leave lines outside their district that no
-- line edit could have put there. Under the district's block-line lock, so a line being
-- drawn meanwhile is checked against one boundary or the other, not neither. An AFTER
-- trigger: the new boundary's zone (gk_srid, generated) is computed by then.
-- SQLSTATE LRD02.
CREATE OR REPLACE FUNCTION landreg_sys.districts_keep_lines() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  near      constant double precision := 2e-5;
  tolerance constant double precision := 0.5;
  l         record;
BEGIN
  IF ST_AsEWKB(NEW.geom) = ST_AsEWKB(OLD.geom) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines:' || NEW.xzqdm));
  FOR l IN SELECT b.code, ST_Difference(b.geom, NEW.geom) AS outside
           FROM block_lines b
           WHERE b.xzqdm = NEW.xzqdm AND NOT ST_CoveredBy(b.geom, NEW.geom)
           ORDER BY b.code LOOP
    IF NOT ST_IsEmpty(l.outside) AND NOT ST_CoveredBy(ST_Transform(l.outside, NEW.gk_srid),
         ST_Buffer(ST_Transform(ST_Intersection(NEW.geom, ST_Expand(ST_Envelope(l.outside), 10 * near)), NEW.gk_srid), tolerance)) THEN
      RAISE EXCEPTION '新边界使行政区 % 的区块线 % 落在区外 % m² / the new boundary of district % leaves its block line % outside by % m²',
        NEW.xzqdm, l.code, round(ST_Area(l.outside::geography)::numeric, 2), NEW.xzqdm, l.code, round(ST_Area(l.outside::geography)::numeric, 2)
        USING ERRCODE = 'LRD02', COLUMN = 'geom', TABLE = 'districts',
              HINT = '先调整区块线（调整方案），再缩小边界 / adjust the block lines first (an adjustment), then the boundary';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
