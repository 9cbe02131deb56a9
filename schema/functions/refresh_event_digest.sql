-- Recompute the digest of the given parcels (NULL: of every parcel) from their events
-- (00009, 00014, 00019): per parcel the sorted dates of its events by type (d_*), and for the
-- types whose figures count the days from which each counts (k_*, sorted) beside the
-- latest figures counting by then (p_*, named facts; for government causes the span of
-- those begun by then). Replaced events (corrections) are left out.
CREATE OR REPLACE FUNCTION landreg_sys.refresh_event_digest(ids bigint[]) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  -- A few parcels (an event written through the API or QGIS): the session's cached plan
  -- for a few, by the events' parcel index (planning the digest's statement anew took
  -- longer than running it); a bulk refresh: each statement planned for its own ids.
  IF ids IS NULL OR cardinality(ids) > 1000 THEN
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
  END IF;
  -- Two transactions adding events to one parcel must not each write a digest that
  -- misses the other's event: a refresh waits for every other refresh of its parcels
  -- to commit, and only then reads the events (in READ COMMITTED each statement below
  -- sees what committed before it). Small refreshes (the API, QGIS) lock their parcels,
  -- in id order; a bulk one (a fixture load, a whole rebuild) locks the whole digest
  -- against every other writer rather than take 100,000 locks. Readers are never
  -- blocked. Writers in REPEATABLE READ or SERIALIZABLE transactions can still collide
  -- on the digest's key; landreg's own writers use READ COMMITTED.
  IF ids IS NULL OR cardinality(ids) > 1000 THEN
    LOCK TABLE landreg_sys.parcel_event_digest IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    LOCK TABLE landreg_sys.parcel_event_digest IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(7310442, (id % 2147483647)::int) FROM unnest(ids) id ORDER BY id;
  END IF;
  -- The statements below filter by `parcel_id = ANY (ids)` alone: PL/pgSQL may switch to
  -- a generic plan after five calls, and there `ids IS NULL OR …` could not be simplified
  -- nor used on the index, so every refresh scanned all events, testing each against the
  -- whole array (one parcel: 1 s instead of 1 ms on 1.8 M events; 200,000: hours).
  IF ids IS NULL THEN
    DELETE FROM landreg_sys.parcel_event_digest;
    ids := ARRAY(SELECT DISTINCT x.parcel_id FROM parcel_events x);
  ELSE
    DELETE FROM landreg_sys.parcel_event_digest WHERE parcel_id = ANY (ids);
  END IF;
  INSERT INTO landreg_sys.parcel_event_digest (parcel_id, d_recovery, d_disposed, d_adverse, d_delivered,
    d_started, d_completed, d_producing, d_stopped, d_resumed, d_susp, k_ext, p_ext, k_prog, p_prog, k_pv, p_pv,
    k_ai, p_ai, k_gov, p_gov, k_rr, p_rr)
  -- One pass, one GROUP BY, no join: planned on the estimates of a bulk load still in
  -- progress, a join of two aggregates was run as a nested loop re-aggregating one side
  -- for every parcel of the other.
  WITH e AS (
    SELECT x.parcel_id, x.kind, x.fact, x.event_date
    FROM parcel_events x
    WHERE x.parcel_id = ANY (ids) AND landreg_sys.status_kind(x.kind)
      AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id)
  ), k AS (
    -- The events whose figures count are grouped (PROGRESS and SUSPENDED together, those
    -- reporting a ratio), each with the day from which it counts; grp is NULL for the rest.
    SELECT e.*,
      CASE WHEN landreg_sys.ratio_kind(e.kind)
             AND ((landreg_sys.progress_fact_of(e.fact)).developed_ratio IS NOT NULL
                  OR (landreg_sys.progress_fact_of(e.fact)).invested_ratio IS NOT NULL) THEN 'progress'
           WHEN e.kind = landreg_sys.event_kind('EXTENSION_APPROVED') THEN 'extension'
           WHEN e.kind = landreg_sys.event_kind('PLANNING_VERIFIED') THEN 'planning'
           WHEN e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS') THEN 'annual'
           WHEN e.kind = landreg_sys.event_kind('GOV_CAUSE') THEN 'gov'
           WHEN e.kind = landreg_sys.event_kind('RAMPUP_REVIEWED') THEN 'rampup' END AS grp,
      CASE e.kind
        WHEN landreg_sys.event_kind('ANNUAL_INDICATORS')
          THEN landreg_sys.indicators_count_from((landreg_sys.annual_fact_of(e.fact)).year, e.event_date)
        WHEN landreg_sys.event_kind('GOV_CAUSE')
          THEN landreg_sys.gov_cause_counts_from((landreg_sys.gov_cause_fact_of(e.fact)).began, e.event_date)
        ELSE e.event_date END AS key
    FROM e
  ), r AS (
    -- Running maxima in the order the events count: fact arrays compare in legal order
    -- (00006), so the maximum is the latest; of government causes, the latest end and
    -- the earliest start.
    SELECT k.*, max(k.fact) OVER w AS pmax,
      max((landreg_sys.gov_cause_fact_of(k.fact)).ends) OVER w AS gov_ends,
      min((landreg_sys.gov_cause_fact_of(k.fact)).began) OVER w AS gov_began
    FROM k WINDOW w AS (PARTITION BY k.parcel_id, k.grp ORDER BY k.key, k.fact ROWS UNBOUNDED PRECEDING)
  )
  SELECT r.parcel_id,
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('RECOVERY_DECIDED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('DISPOSED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE landreg_sys.adverse_kind(r.kind)),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('LAND_DELIVERED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('STARTED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('COMPLETED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('PRODUCTION_STARTED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('PRODUCTION_STOPPED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('RESUMED')),
    array_agg(r.event_date ORDER BY r.event_date) FILTER (WHERE r.kind = landreg_sys.event_kind('SUSPENDED')),
    array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'extension'),
    array_agg(landreg_sys.extension_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'extension'),
    array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'progress'),
    array_agg(landreg_sys.progress_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'progress'),
    array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'planning'),
    array_agg(landreg_sys.planning_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'planning'),
    array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'annual'),
    array_agg(landreg_sys.annual_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'annual'),
    array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'gov'),
    array_agg(ROW(r.gov_began, r.gov_ends)::landreg_sys.gov_cause_fact ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'gov'),
    array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'rampup'),
    array_agg(landreg_sys.rampup_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'rampup')
  FROM r GROUP BY r.parcel_id;
END
$$;
