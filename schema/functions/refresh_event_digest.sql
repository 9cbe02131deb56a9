-- Recompute the digest of the given parcels (NULL: of every parcel) from their events
-- (00009, 00014): per parcel the sorted dates of its events by type (d_*), and for the
-- types whose figures count the days from which each counts (k_*, sorted) beside the
-- latest figures counting by then (p_*, named facts; for government causes the span of
-- those begun by then). Replaced events (corrections) are left out.
CREATE OR REPLACE FUNCTION landreg_sys.refresh_event_digest(ids bigint[]) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
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
  IF ids IS NULL THEN
    DELETE FROM landreg_sys.parcel_event_digest;
  ELSE
    DELETE FROM landreg_sys.parcel_event_digest WHERE parcel_id = ANY (ids);
  END IF;
  INSERT INTO landreg_sys.parcel_event_digest (parcel_id, d_recovery, d_disposed, d_adverse, d_delivered,
    d_started, d_completed, d_producing, d_stopped, d_resumed, d_susp, k_ext, p_ext, k_prog, p_prog, k_pv, p_pv,
    k_ai, p_ai, k_gov, p_gov)
  WITH e AS (
    SELECT x.parcel_id, x.kind, x.fact, x.event_date
    FROM parcel_events x
    WHERE (ids IS NULL OR x.parcel_id = ANY (ids)) AND landreg_sys.status_kind(x.kind)
      AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id)
  ), k AS (
    -- The events whose figures count, grouped (PROGRESS and SUSPENDED together), each
    -- with the day from which it counts.
    SELECT e.parcel_id, e.fact,
      CASE WHEN landreg_sys.ratio_kind(e.kind) THEN 'progress'
           WHEN e.kind = landreg_sys.event_kind('EXTENSION_APPROVED') THEN 'extension'
           WHEN e.kind = landreg_sys.event_kind('PLANNING_VERIFIED') THEN 'planning'
           WHEN e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS') THEN 'annual'
           WHEN e.kind = landreg_sys.event_kind('GOV_CAUSE') THEN 'gov' END AS grp,
      CASE e.kind
        WHEN landreg_sys.event_kind('ANNUAL_INDICATORS')
          THEN landreg_sys.indicators_count_from((landreg_sys.annual_fact_of(e.fact)).year, e.event_date)
        WHEN landreg_sys.event_kind('GOV_CAUSE')
          THEN landreg_sys.gov_cause_counts_from((landreg_sys.gov_cause_fact_of(e.fact)).began, e.event_date)
        ELSE e.event_date END AS key
    FROM e
    WHERE e.kind IN (landreg_sys.event_kind('EXTENSION_APPROVED'), landreg_sys.event_kind('PLANNING_VERIFIED'),
                     landreg_sys.event_kind('ANNUAL_INDICATORS'), landreg_sys.event_kind('GOV_CAUSE'))
       OR (landreg_sys.ratio_kind(e.kind) AND ((landreg_sys.progress_fact_of(e.fact)).developed_ratio IS NOT NULL
                                               OR (landreg_sys.progress_fact_of(e.fact)).invested_ratio IS NOT NULL))
  ), r AS (
    -- Running maxima in the order the events count: fact arrays compare in legal order
    -- (00006), so the maximum is the latest; of government causes, the latest end and
    -- the earliest start.
    SELECT k.*, max(k.fact) OVER w AS pmax,
      max((landreg_sys.gov_cause_fact_of(k.fact)).ends) OVER w AS gov_ends,
      min((landreg_sys.gov_cause_fact_of(k.fact)).began) OVER w AS gov_began
    FROM k WINDOW w AS (PARTITION BY k.parcel_id, k.grp ORDER BY k.key, k.fact ROWS UNBOUNDED PRECEDING)
  ), f AS (
    SELECT r.parcel_id,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'extension') AS k_ext,
      array_agg(landreg_sys.extension_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'extension') AS p_ext,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'progress') AS k_prog,
      array_agg(landreg_sys.progress_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'progress') AS p_prog,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'planning') AS k_pv,
      array_agg(landreg_sys.planning_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'planning') AS p_pv,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'annual') AS k_ai,
      array_agg(landreg_sys.annual_fact_of(r.pmax) ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'annual') AS p_ai,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 'gov') AS k_gov,
      array_agg(ROW(r.gov_began, r.gov_ends)::landreg_sys.gov_cause_fact ORDER BY r.key, r.fact)
        FILTER (WHERE r.grp = 'gov') AS p_gov
    FROM r GROUP BY r.parcel_id
  ), dd AS (
    SELECT e.parcel_id,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('RECOVERY_DECIDED')) AS d_recovery,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('DISPOSED')) AS d_disposed,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE landreg_sys.adverse_kind(e.kind)) AS d_adverse,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('LAND_DELIVERED')) AS d_delivered,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('STARTED')) AS d_started,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('COMPLETED')) AS d_completed,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('PRODUCTION_STARTED')) AS d_producing,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('PRODUCTION_STOPPED')) AS d_stopped,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('RESUMED')) AS d_resumed,
      array_agg(e.event_date ORDER BY e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('SUSPENDED')) AS d_susp
    FROM e GROUP BY e.parcel_id
  )
  SELECT dd.parcel_id, dd.d_recovery, dd.d_disposed, dd.d_adverse, dd.d_delivered, dd.d_started,
    dd.d_completed, dd.d_producing, dd.d_stopped, dd.d_resumed, dd.d_susp,
    f.k_ext, f.p_ext, f.k_prog, f.p_prog, f.k_pv, f.p_pv, f.k_ai, f.p_ai, f.k_gov, f.p_gov
  FROM dd LEFT JOIN f USING (parcel_id);
END
$$;
