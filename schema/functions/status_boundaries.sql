-- The days on which what landreg_sys.idle_core reads for the parcels ids may change, as
-- known now: each version's first and last day, the day of each event that bears on the
-- status (landreg_sys.status_kind, what the digest holds) and the day it counts from, the districts' policy versions, and the days the holders' 亩均 figures count
-- from (the 低效 flag is the holder's verdict, landreg_sys.enterprise_verdicts, which
-- reads at_date only there). Between two of these days the classification reads the
-- same state; it can still change by time alone, on the thresholds idle_core returns.
-- A superset is harmless (the timeline merges equal neighbours); a missing day is not.
CREATE OR REPLACE FUNCTION landreg_sys.status_boundaries(ids bigint[])
RETURNS TABLE (parcel_id bigint, d date) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT v.id, x.d
  FROM parcels_all v CROSS JOIN LATERAL (VALUES (v.valid_from), (v.valid_to)) x(d)
  WHERE v.id = ANY (ids) AND x.d IS NOT NULL
  UNION
  SELECT e.parcel_id, x.d
  FROM parcel_events e CROSS JOIN LATERAL (VALUES (e.event_date),
    (CASE WHEN e.kind = landreg_sys.event_kind('GOV_CAUSE')
          THEN landreg_sys.gov_cause_counts_from((landreg_sys.gov_cause_fact_of(e.fact)).began, e.event_date) END),
    (CASE WHEN e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
          THEN landreg_sys.indicators_count_from(e.fact[1]::int, e.event_date) END)) x(d)
  WHERE e.parcel_id = ANY (ids) AND x.d IS NOT NULL AND landreg_sys.status_kind(e.kind)
  UNION
  SELECT v.id, p.valid_from
  FROM parcels_all v JOIN idle_policy p ON p.xzqdm = v.xzqdm
  WHERE v.id = ANY (ids)
  UNION
  SELECT v.id, landreg_sys.indicators_count_from(i.year, i.reported_on)
  FROM parcels_all v JOIN enterprise_indicators i ON i.uscc = v.holder_uscc
  WHERE v.id = ANY (ids)
  UNION
  SELECT v.id, landreg_sys.indicators_count_from(e.fact[1]::int, e.event_date)
  FROM parcels_all v
  JOIN parcels_all m ON m.holder_uscc = v.holder_uscc
  JOIN parcel_events e ON e.parcel_id = m.id AND e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
  WHERE v.id = ANY (ids)
$$;
