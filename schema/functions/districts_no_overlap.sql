-- Districts do not overlap: a boundary whose interior meets another district's over
-- more than 1 m² (survey noise between two sources of one border) is refused, naming
-- the other district and the area. Shared edges are fine. An advisory lock serialises
-- concurrent writers, as for block lines. SQLSTATE LRD01.
CREATE OR REPLACE FUNCTION landreg_sys.districts_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE other record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('landreg.districts'));
  SELECT s.xzqdm, s.name, s.m2 INTO other
  FROM (SELECT d.xzqdm, d.name, ST_Area(ST_Intersection(d.geom, NEW.geom)::geography) AS m2
        FROM districts d
        WHERE d.xzqdm <> NEW.xzqdm AND d.geom && NEW.geom AND ST_Relate(d.geom, NEW.geom, '2********')
        OFFSET 0) s
  WHERE s.m2 > 1.0
  ORDER BY s.m2 DESC
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '行政区 % 的边界与行政区 %（%）重叠 % 平方米 / the boundary of district % overlaps district % (%) by % m²',
      NEW.xzqdm, other.xzqdm, other.name, round(other.m2::numeric, 2), NEW.xzqdm, other.xzqdm, other.name, round(other.m2::numeric, 2)
      USING ERRCODE = 'LRD01', COLUMN = 'geom', TABLE = 'districts';
  END IF;
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.districts_no_overlap() SECURITY DEFINER SET search_path = public, pg_temp;
