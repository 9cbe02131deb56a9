-- The ranges of the status timeline (00025) of the parcels ids from legal day from_day on
-- (NULL: every day), as landreg_sys.refresh_status_timeline writes them: idle_core, as
-- known now, evaluated on every day its input may change (landreg_sys.status_boundaries)
-- and then on every threshold those evaluations return, with equal neighbours merged
-- into one range. Between two of these days the function reads the same state and passes
-- no threshold, so the ranges give exactly what it gives for any day. idle_core runs
-- twice, each time on every (parcel, day) pair of its pass at once; few chooses its plan
-- for a few pairs (a constant in the caller, folded when this function is inlined).
CREATE OR REPLACE FUNCTION landreg_sys.status_ranges(ids bigint[], from_day date, few boolean)
RETURNS SETOF landreg_sys.status_timeline LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH b0 AS (
    SELECT x.parcel_id, x.d FROM landreg_sys.status_boundaries(ids) x WHERE from_day IS NULL OR x.d > from_day
    UNION
    SELECT unnest(ids), from_day WHERE from_day IS NOT NULL
  ),
  b AS MATERIALIZED (
    -- Each boundary with the next one: a state lasts until then.
    SELECT b0.parcel_id, b0.d, lead(b0.d) OVER (PARTITION BY b0.parcel_id ORDER BY b0.d) AS next_d FROM b0
  ),
  first AS MATERIALIZED (
    SELECT s.* FROM (SELECT array_agg(b.parcel_id) AS ids, array_agg(b.d) AS days FROM b) g
    CROSS JOIN LATERAL landreg_sys.idle_core(NULL, NULL, NULL, NULL, NULL, g.ids, g.days, few) s
  ),
  more AS MATERIALIZED (
    -- The thresholds each state passes before the next boundary, where the next state
    -- (evaluated there) takes over. A state is the same on those days, so its
    -- thresholds are too: one more pass covers them all.
    SELECT DISTINCT f.parcel_id, t.d
    FROM first f
    JOIN b ON b.parcel_id = f.parcel_id AND b.d = f.day
    CROSS JOIN LATERAL unnest(f.thresholds) t(d)
    WHERE t.d > f.day AND (b.next_d IS NULL OR t.d < b.next_d)
  ),
  second AS (
    SELECT s.* FROM (SELECT array_agg(m.parcel_id) AS ids, array_agg(m.d) AS days FROM more m) g
    CROSS JOIN LATERAL landreg_sys.idle_core(NULL, NULL, NULL, NULL, NULL, g.ids, g.days, few) s
  ),
  pts AS (
    -- Every day evaluated, with its status (NULL: no version valid that day).
    SELECT x.parcel_id, x.d, r.zddm, r.xzqdm, r.category, r.category_zh, r.since, r.reasons, r.deadline,
      r.idle_fee_wan, r.low_efficiency, r.indicator_year, r.tax_per_mu_wan, r.va_per_mu_wan, r.unused_area_m2,
      r.registered_area_m2, r.area_m2,
      CASE WHEN r.parcel_id IS NOT NULL THEN ROW(r.zddm, r.xzqdm, r.category, r.category_zh, r.since, r.reasons::text,
        r.deadline, r.idle_fee_wan, r.low_efficiency, r.indicator_year, r.tax_per_mu_wan, r.va_per_mu_wan,
        r.unused_area_m2, r.registered_area_m2, r.area_m2)::text END AS k
    FROM (SELECT b.parcel_id, b.d FROM b UNION ALL SELECT m.parcel_id, m.d FROM more m) x
    LEFT JOIN (SELECT * FROM first UNION ALL SELECT * FROM second) r ON r.parcel_id = x.parcel_id AND r.day = x.d
  ),
  starts AS (
    -- The days on which the status differs from the day evaluated before.
    SELECT pts.*, lag(pts.k) OVER (PARTITION BY pts.parcel_id ORDER BY pts.d) IS DISTINCT FROM pts.k AS starts
    FROM pts
  ),
  ranges AS (
    SELECT s.*, lead(s.d) OVER (PARTITION BY s.parcel_id ORDER BY s.d) AS until
    FROM starts s WHERE s.starts
  )
  SELECT r.parcel_id, daterange(r.d, r.until), r.zddm, r.xzqdm, r.category, r.category_zh, r.since, r.reasons,
    r.deadline, r.idle_fee_wan, r.low_efficiency, r.indicator_year, r.tax_per_mu_wan, r.va_per_mu_wan,
    r.unused_area_m2, r.registered_area_m2, r.area_m2
  FROM ranges r
  WHERE r.k IS NOT NULL
$$;
