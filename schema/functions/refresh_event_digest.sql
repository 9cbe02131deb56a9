-- Recompute the digest of the given parcels (NULL: of every parcel) from their events.
-- Days are counted from 2000-01-01; p_ext, p_prog, p_pv and p_ai are 2-D arrays (one fact
-- per row), p_gov_to and p_gov_from the running end and start of government causes.
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
  INSERT INTO landreg_sys.parcel_event_digest
  WITH e AS (
    SELECT x.parcel_id, x.kind, x.fact, x.event_date - DATE '2000-01-01' AS day
    FROM parcel_events x
    WHERE (ids IS NULL OR x.parcel_id = ANY (ids)) AND x.kind <= 16
      AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id)
  ), k AS (
    SELECT e.parcel_id, e.fact,
      CASE WHEN e.kind <= 2 THEN 1 ELSE e.kind END AS grp,
      CASE e.kind WHEN 14 THEN greatest(e.day, make_date(e.fact[1]::int + 1, 1, 1) - DATE '2000-01-01')
                  WHEN 6 THEN greatest(e.day, e.fact[1]::int)
                  ELSE e.day END AS key
    FROM e
    WHERE e.kind IN (6, 12, 13, 14) OR (e.kind <= 2 AND (e.fact[3] IS NOT NULL OR e.fact[4] IS NOT NULL))
  ), r AS (
    SELECT k.*, max(k.fact) OVER w AS pmax, max(k.fact[2]) OVER w AS pmax_to, min(k.fact[1]) OVER w AS pmin_from
    FROM k WINDOW w AS (PARTITION BY k.parcel_id, k.grp ORDER BY k.key, k.fact ROWS UNBOUNDED PRECEDING)
  ), f AS (
    SELECT r.parcel_id,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 12) AS k_ext,
      array_agg(r.pmax ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 12) AS p_ext,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 1) AS k_prog,
      array_agg(r.pmax ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 1) AS p_prog,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 13) AS k_pv,
      array_agg(r.pmax ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 13) AS p_pv,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 14) AS k_ai,
      array_agg(r.pmax ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 14) AS p_ai,
      array_agg(r.key ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 6) AS k_gov,
      array_agg(r.pmax_to ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 6) AS p_gov_to,
      array_agg(r.pmin_from ORDER BY r.key, r.fact) FILTER (WHERE r.grp = 6) AS p_gov_from
    FROM r GROUP BY r.parcel_id
  ), dd AS (
    SELECT e.parcel_id,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 15) AS d_recovery,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 16) AS d_disposed,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind BETWEEN 2 AND 6) AS d_adverse,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 7) AS d_delivered,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 8) AS d_started,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 9) AS d_completed,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 10) AS d_producing,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 5) AS d_stopped,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 11) AS d_resumed,
      array_agg(e.day ORDER BY e.day) FILTER (WHERE e.kind = 2) AS d_susp
    FROM e GROUP BY e.parcel_id
  )
  SELECT dd.parcel_id, dd.d_recovery, dd.d_disposed, dd.d_adverse, dd.d_delivered, dd.d_started,
    dd.d_completed, dd.d_producing, dd.d_stopped, dd.d_resumed, dd.d_susp,
    f.k_ext, f.p_ext, f.k_prog, f.p_prog, f.k_pv, f.p_pv, f.k_ai, f.p_ai, f.k_gov, f.p_gov_to, f.p_gov_from
  FROM dd LEFT JOIN f USING (parcel_id);
END
$$;
