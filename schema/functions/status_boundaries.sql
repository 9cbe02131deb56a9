-- The days on which what landreg_sys.idle_core reads for the parcels ids may change, as
-- known now: each version's first and last day, the day of each event that bears on the
-- status (landreg_sys.status_kind, what the digest holds) and the day it counts from, the districts' policy versions, and the days the holders' 亩均 figures count
-- from (the 低效 flag is the holder's verdict, landreg_sys.enterprise_verdicts, which
-- reads at_date only there). Between two of these days the classification reads the
-- same state; it can still change by time alone, on the thresholds idle_core returns.
-- A superset is harmless (the timeline merges equal neighbours); a missing day is not.
CREATE OR REPLACE FUNCTION landreg_sys.status_boundaries(ids bigint[])
RETURNS TABLE (parcel_id bigint, d date) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- The ids joined rather than matched with id = ANY: a bulk refresh passes every
  -- parcel, and = ANY over a parameter array is a linear search per row; joined, each
  -- is an index probe.
  WITH q AS (SELECT DISTINCT unnest(ids) AS id)
  SELECT v.id, x.d
  FROM q JOIN parcels_all v ON v.id = q.id CROSS JOIN LATERAL (VALUES (v.valid_from), (v.valid_to)) x(d)
  WHERE x.d IS NOT NULL
  UNION
  SELECT e.parcel_id, x.d
  FROM q JOIN parcel_events e ON e.parcel_id = q.id CROSS JOIN LATERAL (VALUES (e.event_date),
    (CASE WHEN e.kind = landreg_sys.event_kind('GOV_CAUSE')
          THEN landreg_sys.gov_cause_counts_from((landreg_sys.gov_cause_fact_of(e.fact)).began, e.event_date) END),
    (CASE WHEN e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
          THEN landreg_sys.indicators_count_from(e.fact[1]::int, e.event_date) END)) x(d)
  WHERE x.d IS NOT NULL AND landreg_sys.status_kind(e.kind)
  UNION
  SELECT v.id, p.valid_from
  FROM q JOIN parcels_all v ON v.id = q.id JOIN idle_policy p ON p.xzqdm = v.xzqdm
  UNION
  SELECT v.id, landreg_sys.indicators_count_from(i.year, i.reported_on)
  FROM q JOIN parcels_all v ON v.id = q.id JOIN enterprise_indicators i ON i.uscc = v.holder_uscc
  UNION
  -- Per asked parcel, its holder's parcels' annual reports (OFFSET 0: planned per
  -- holder, by the holder and parcel_id indexes; flattened, the generic plan hashed
  -- every annual report in the table for each refresh).
  SELECT v.id, x.d
  FROM q JOIN parcels_all v ON v.id = q.id
  CROSS JOIN LATERAL (
    SELECT landreg_sys.indicators_count_from(e.fact[1]::int, e.event_date)
    FROM parcels_all m JOIN parcel_events e ON e.parcel_id = m.id
    WHERE m.holder_uscc = v.holder_uscc AND e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
    OFFSET 0
  ) x(d)
$$;
