-- A district's lines lie in its territory (domain.md §8.2, §8.6.6; issue 14.1):
--  * each line is covered by its district's boundary, with 0.5 m of tolerance measured
--    on the district's Gauss-Krüger plane (districts.gk_srid): digitised boundaries
--    disagree by that much along shared edges. The exact test comes first (the usual
--    case, no transformation); only the part outside is then measured, against the
--    boundary near it (the district clipped to that part's box), never by buffering the
--    whole district;
--  * no current line shares interior with a line of another district, so no land
--    counts twice (block_lines_no_overlap does the same within the district).
-- Index-aware: the other districts and lines are found through their GiST indexes by
-- bounding box first; a line inside its district and away from its border does one
-- covered-by test and one index probe that finds nothing.
--
-- Serialisation across districts. Two lines of different districts can only overlap in
-- the tolerance strip along their common border: each lies within 0.5 m of its own
-- district, so an overlap lies within 0.5 m of both. A writer whose line comes within
-- `near` (2e-5°, more than 1.3 m anywhere in China, so more than the tolerance) of
-- another district therefore takes one lock for border edits, for the rest of its
-- transaction, before it looks at the other districts' lines; of two concurrent
-- writers that could overlap, both take it, and the second looks after the first has
-- committed (READ COMMITTED: each statement here reads afresh). One key and no other
-- lock taken while waiting for it, so the border lock adds no deadlock: a writer holds
-- its own district's lock (block_lines_no_overlap, taken before) and waits only for the
-- border lock; the holder of the border lock waits for nothing another district's
-- writer holds. Edits away from borders never take it.
CREATE OR REPLACE FUNCTION landreg_sys.block_lines_territory() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  near      constant double precision := 2e-5;
  tolerance constant double precision := 0.5;
  d         record;
  outside   geometry;
  other     record;
  far       double precision;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.xzqdm = OLD.xzqdm AND ST_AsEWKB(NEW.geom) = ST_AsEWKB(OLD.geom) THEN
    RETURN NEW; -- neither place nor shape changed
  END IF;

  SELECT x.xzqdm, x.name, x.geom, x.gk_srid INTO d FROM districts x WHERE x.xzqdm = NEW.xzqdm;
  IF NOT ST_CoveredBy(NEW.geom, d.geom) THEN
    outside := ST_Difference(NEW.geom, d.geom);
    IF NOT ST_IsEmpty(outside) AND NOT ST_CoveredBy(ST_Transform(outside, d.gk_srid),
         ST_Buffer(ST_Transform(ST_Intersection(d.geom, ST_Expand(ST_Envelope(outside), 10 * near)), d.gk_srid), tolerance)) THEN
      -- How far out: the farthest vertex of the part outside (at least that far).
      SELECT max(ST_Distance(ST_Transform(p.geom, d.gk_srid), ST_Transform(d.geom, d.gk_srid))) INTO far
      FROM ST_DumpPoints(outside) p;
      RAISE EXCEPTION '区块线 % 超出所属行政区 %（%）范围：区外面积 % m²，最远 % 米（容差 % 米）/ block line % lies outside its district % (%): % m² outside, up to % m from it (tolerance % m)',
        NEW.code, d.xzqdm, d.name, round(ST_Area(outside::geography)::numeric, 2), round(far::numeric, 2), tolerance,
        NEW.code, d.xzqdm, d.name, round(ST_Area(outside::geography)::numeric, 2), round(far::numeric, 2), tolerance
        USING ERRCODE = 'LRB02', COLUMN = 'geom', TABLE = 'block_lines',
              HINT = '区块线须落在本行政区内 / a district''s block lines lie within its boundary (domain.md §8.2)';
    END IF;
  END IF;

  IF EXISTS (SELECT 1 FROM districts o
             WHERE o.xzqdm <> NEW.xzqdm AND o.geom && ST_Expand(NEW.geom, near) AND ST_DWithin(o.geom, NEW.geom, near)) THEN
    PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines.borders'));
  END IF;
  SELECT b.id, b.code, b.xzqdm INTO other
  FROM block_lines b
  WHERE b.xzqdm <> NEW.xzqdm AND b.geom && NEW.geom AND ST_Relate(b.geom, NEW.geom, '2********')
  ORDER BY b.id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '区块线 %（%）与行政区 % 的区块线 % 重叠 % m²，同一土地不能计入两个行政区 / block line % of % overlaps line % of district % by % m²: land counts in one district only',
      NEW.code, NEW.xzqdm, other.xzqdm, other.code,
      round(ST_Area(ST_Intersection((SELECT geom FROM block_lines WHERE id = other.id), NEW.geom)::geography)::numeric, 2),
      NEW.code, NEW.xzqdm, other.code, other.xzqdm,
      round(ST_Area(ST_Intersection((SELECT geom FROM block_lines WHERE id = other.id), NEW.geom)::geography)::numeric, 2)
      USING ERRCODE = 'LRB03', COLUMN = 'geom', TABLE = 'block_lines';
  END IF;
  RETURN NEW;
END
$$;
