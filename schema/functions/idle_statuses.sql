-- Status of every parcel valid at at_date (optionally of one district), as known at
-- known_at (NULL = now). A PL/pgSQL wrapper to carry settings for this one big query:
-- JIT off (compiling its expressions costs more than it saves), custom plans (so a
-- NULL district folds away), ISO dates for the reasons, room to aggregate every
-- parcel's events in memory, and up to two parallel workers (a whole-city report;
-- the API's own connections run without).
CREATE OR REPLACE FUNCTION landreg_sys.idle_statuses(at_date date, known_at timestamptz DEFAULT NULL, in_district text DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE plpgsql STABLE PARALLEL SAFE
SET jit = off SET plan_cache_mode = force_custom_plan SET work_mem = '256MB' SET datestyle = 'ISO, YMD'
SET max_parallel_workers_per_gather = 2 AS $$
BEGIN
  RETURN QUERY SELECT * FROM landreg_sys.idle_core(at_date, known_at, in_district, NULL);
END
$$;
