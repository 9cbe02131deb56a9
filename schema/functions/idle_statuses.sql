-- Status of every parcel valid at at_date (optionally of one district), as known at
-- known_at (NULL = now). Now: read from the status timeline (refresh_status_timeline),
-- which holds what idle_core gives for every date. As known earlier: idle_core itself,
-- in a PL/pgSQL wrapper to carry settings for this one big query: JIT off (compiling
-- its expressions costs more than it saves), custom plans (so a NULL district folds
-- away), ISO dates for the reasons, room to aggregate every parcel's events in memory,
-- and up to two parallel workers (a whole-city report; the API's own connections run
-- without).
CREATE OR REPLACE FUNCTION landreg_sys.idle_statuses(at_date date, known_at timestamptz DEFAULT NULL, in_district text DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE plpgsql STABLE PARALLEL SAFE
SET jit = off SET plan_cache_mode = force_custom_plan SET work_mem = '256MB' SET datestyle = 'ISO, YMD'
SET max_parallel_workers_per_gather = 2 AS $$
BEGIN
  IF known_at IS NULL THEN
    RETURN QUERY SELECT t.parcel_id, t.zddm, t.xzqdm, t.category, t.category_zh, t.since, t.reasons, t.deadline,
      t.idle_fee_wan, t.low_efficiency, t.indicator_year, t.tax_per_mu_wan, t.va_per_mu_wan, t.unused_area_m2,
      t.registered_area_m2, t.area_m2
    FROM landreg_sys.status_timeline t
    WHERE t.during @> at_date AND (in_district IS NULL OR t.xzqdm = in_district);
  ELSE
    RETURN QUERY SELECT s.parcel_id, s.zddm, s.xzqdm, s.category, s.category_zh, s.since, s.reasons, s.deadline,
      s.idle_fee_wan, s.low_efficiency, s.indicator_year, s.tax_per_mu_wan, s.va_per_mu_wan, s.unused_area_m2,
      s.registered_area_m2, s.area_m2
    FROM landreg_sys.idle_core(at_date, known_at, in_district, NULL) s;
  END IF;
END
$$;
