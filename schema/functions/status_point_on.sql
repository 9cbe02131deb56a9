-- A parcel's point on day d from its row of landreg_sys.status_points (its arrays):
-- the piece of the day, by binary search over the first days, with its cell of zoom
-- 11 (00035: the grid cell >> 8) and its area as numeric, which sums exactly in any
-- order, so the cells kept by differences and the cells added up from the points
-- agree to the last digit. Nothing when no piece holds the day. Inlined into the
-- caller.
CREATE OR REPLACE FUNCTION landreg_sys.status_point_on(d date, starts date[], ends date[], gx integer[], gy integer[],
  xzqdm text[], category text[], low_efficiency boolean[], standard_land boolean[], area_m2 double precision[])
RETURNS TABLE (cx integer, cy integer, xzqdm text, category text, low_efficiency boolean, standard_land boolean,
  area_m2 numeric, gx integer, gy integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT gx[b.i] >> 8, gy[b.i] >> 8, xzqdm[b.i], category[b.i], low_efficiency[b.i], standard_land[b.i],
    area_m2[b.i]::numeric, gx[b.i], gy[b.i]
  FROM (SELECT width_bucket(d, starts) AS i) b
  WHERE b.i > 0 AND (ends[b.i] IS NULL OR ends[b.i] > d)
$$;
