-- Rebuilds landreg_sys.status_cells for day d (default today) from every parcel's
-- point, and makes d their day; when stale_only, only if they are of another day (NULL
-- otherwise: several servers may roll at once, the first one does it). The server
-- calls it when the day changes; until then a tile of the new day reads the points
-- (exact, slower). The table lock waits for the
-- refreshes under way (they hold ROW EXCLUSIVE from before they read the day) and
-- holds new ones back until the cells are of the new day.
CREATE OR REPLACE FUNCTION landreg_sys.roll_status_cells(d date DEFAULT NULL, stale_only boolean DEFAULT false)
RETURNS date LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp SET jit = off SET work_mem = '256MB' AS $$
BEGIN
  d := coalesce(d, landreg_sys.today());
  LOCK TABLE landreg_sys.status_cells IN EXCLUSIVE MODE;
  IF stale_only AND (SELECT c.day FROM landreg_sys.status_cells_day c) IS NOT DISTINCT FROM d THEN
    RETURN NULL;
  END IF;
  DELETE FROM landreg_sys.status_cells;
  INSERT INTO landreg_sys.status_cells
  SELECT o.cx, o.cy, o.xzqdm, o.category, o.low_efficiency, o.standard_land, count(*), sum(o.area_m2), sum(o.gx), sum(o.gy)
  FROM landreg_sys.status_points p CROSS JOIN LATERAL landreg_sys.status_point_on(d, p.starts, p.ends, p.gx, p.gy, p.xzqdm,
    p.category, p.low_efficiency, p.standard_land, p.area_m2) o
  GROUP BY o.cx, o.cy, o.xzqdm, o.category, o.low_efficiency, o.standard_land;
  INSERT INTO landreg_sys.status_cells_day (day) VALUES (d) ON CONFLICT (one) DO UPDATE SET day = EXCLUDED.day;
  RETURN d;
END
$$;
