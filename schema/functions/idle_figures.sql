-- The figures of each parcel's status as of at_date (optionally of one district), as
-- known at known_at (NULL = now): what the idle reports add up, the same values as the
-- columns of landreg_sys.idle_statuses of that name. Now, for the whole city: one row
-- per parcel of landreg_sys.status_figures, the day's range found by binary search over
-- its first days; for one district: its ranges in the timeline, by index. As known
-- earlier: the function. Inlined into the caller, so that the branches not taken fold
-- away.
CREATE OR REPLACE FUNCTION landreg_sys.idle_figures(at_date date, known_at timestamptz DEFAULT NULL, in_district text DEFAULT NULL)
RETURNS TABLE (parcel_id bigint, xzqdm text, category text, low_efficiency boolean, idle_fee_wan numeric,
  registered_area_m2 numeric, area_m2 double precision, unused_area_m2 double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT f.parcel_id, f.xzqdm[f.i], f.category[f.i], f.low_efficiency[f.i], f.idle_fee_wan[f.i],
    f.registered_area_m2[f.i], f.area_m2[f.i], f.unused_area_m2[f.i]
  FROM (SELECT x.*, width_bucket(at_date, x.starts) AS i FROM landreg_sys.status_figures x
        WHERE known_at IS NULL AND in_district IS NULL OFFSET 0) f
  WHERE f.i > 0 AND (f.ends[f.i] IS NULL OR f.ends[f.i] > at_date)
  UNION ALL
  SELECT t.parcel_id, t.xzqdm, t.category, t.low_efficiency, t.idle_fee_wan, t.registered_area_m2, t.area_m2, t.unused_area_m2
  FROM landreg_sys.status_timeline t
  WHERE known_at IS NULL AND in_district IS NOT NULL AND t.xzqdm = in_district AND t.during @> at_date
  UNION ALL
  SELECT s.parcel_id, s.xzqdm, s.category, s.low_efficiency, s.idle_fee_wan, s.registered_area_m2, s.area_m2, s.unused_area_m2
  FROM landreg_sys.idle_statuses_known(at_date, known_at, in_district) s
  WHERE known_at IS NOT NULL
$$;
