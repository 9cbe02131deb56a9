-- Status of every parcel valid at at_date (optionally of one district) as known at
-- known_at: idle_core itself, the only one that can answer for an earlier state of the
-- register, in a PL/pgSQL wrapper to carry settings for this one big query: JIT off
-- (compiling its expressions costs more than it saves), custom plans (so a NULL
-- district folds away), ISO dates for the reasons, room to aggregate every parcel's
-- events in memory, and up to two parallel workers (a whole-city report; the API's own
-- connections run without).
CREATE OR REPLACE FUNCTION landreg_sys.idle_statuses_known(at_date date, known_at timestamptz, in_district text DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE plpgsql STABLE PARALLEL SAFE
SET jit = off SET plan_cache_mode = force_custom_plan SET work_mem = '256MB' SET datestyle = 'ISO, YMD'
SET max_parallel_workers_per_gather = 2 AS $$
BEGIN
  RETURN QUERY SELECT s.parcel_id, s.zddm, s.xzqdm, s.category, s.category_zh, s.since, s.reasons, s.deadline,
    s.idle_fee_wan, s.low_efficiency, s.indicator_year, s.tax_per_mu_wan, s.va_per_mu_wan, s.unused_area_m2,
    s.registered_area_m2, s.area_m2
  FROM landreg_sys.idle_core(at_date, known_at, in_district, NULL) s;
END
$$;
