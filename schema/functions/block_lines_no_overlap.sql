-- No two current lines of a district may share interior. The advisory lock per
-- district serialises concurrent writers so both cannot pass the check at once.
CREATE OR REPLACE FUNCTION landreg_sys.block_lines_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE other record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines:' || NEW.xzqdm));
  SELECT b.id, b.code INTO other
  FROM block_lines b
  WHERE b.xzqdm = NEW.xzqdm AND b.id <> NEW.id
    AND b.geom && NEW.geom AND ST_Relate(b.geom, NEW.geom, '2********')
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '区块线 % 与 % 重叠 / block line % overlaps %', NEW.code, other.code, NEW.code, other.code
      USING ERRCODE = 'LRB01', COLUMN = 'geom', TABLE = 'block_lines',
            DETAIL = format('overlap area %s m²', round(ST_Area(ST_Intersection(
              (SELECT geom FROM block_lines WHERE id = other.id), NEW.geom)::geography)::numeric, 2));
  END IF;
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.block_lines_no_overlap() SECURITY DEFINER SET search_path = public, pg_temp;
