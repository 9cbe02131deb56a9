-- The days on which the 低效 verdict of a holder of the parcels ids (in any version) can
-- change, each with the holder's next such day (until_day NULL: none): the days its own
-- rows or the annual reports of a parcel it ever held count from
-- (landreg_sys.indicators_count_from). landreg_sys.verdict_periods judges each holder on
-- these days. few (a constant where idle_core inlines this for a few pairs) chooses how a
-- holder's annual reports are found: per holder by the holder and parcel_id indexes, or
-- for every holder at once.
CREATE OR REPLACE FUNCTION landreg_sys.verdict_days(ids bigint[], few boolean DEFAULT false)
RETURNS TABLE (uscc text, from_day date, until_day date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH h AS (
  -- A join with the ids rather than id = ANY (ids): a bulk refresh passes hundreds of
  -- thousands of pairs, and = ANY over a parameter array is a linear search per row.
  SELECT DISTINCT v.holder_uscc AS uscc FROM unnest(ids) q(id) JOIN parcels_all v ON v.id = q.id
  WHERE v.holder_uscc IS NOT NULL
)
SELECT x.uscc, x.d, lead(x.d) OVER (PARTITION BY x.uscc ORDER BY x.d)
FROM (
  SELECT i.uscc, landreg_sys.indicators_count_from(i.year, i.reported_on)
  FROM h JOIN enterprise_indicators i ON i.uscc = h.uscc
  UNION
  -- A few holders: each one's reports by index (joined for all of them, the planner
  -- hashed every annual report in the table for one event's refresh).
  SELECT h.uscc, y.d FROM h CROSS JOIN LATERAL (
    SELECT landreg_sys.indicators_count_from(e.fact[1]::int, e.event_date)
    FROM parcel_events e
    WHERE e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
      AND e.parcel_id IN (SELECT m.id FROM parcels_all m WHERE m.holder_uscc = h.uscc)
  ) y(d)
  WHERE few
  UNION
  -- Many: all of them at once (per holder, once the planner's estimate of the reports
  -- was small, it scanned them once per holder: quadratic in a bulk load).
  SELECT m.holder_uscc, landreg_sys.indicators_count_from(e.fact[1]::int, e.event_date)
  FROM h JOIN parcels_all m ON m.holder_uscc = h.uscc
  JOIN parcel_events e ON e.parcel_id = m.id
  WHERE NOT few AND e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
) x(uscc, d)
$$;
