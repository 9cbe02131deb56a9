-- The 亩均 figures the targets' actuals read (domain.md §8.5): per enterprise, its tax,
-- value added and land (亩) for a year, as of legal date at_date and as known at
-- known_at. The one source of tax_per_mu_wan and va_per_mu_wan actuals, so it can be
-- repointed to the enterprise indicators register when that lands. Today: the parcels'
-- ANNUAL_INDICATORS of the year recorded by known_at, dated by at_date, not replaced by a
-- correction known by then, summed per holder at the end of the year; land is the
-- reported land_mu_used when every report has it, else the registered area of the
-- parcels held at year end. District: where the firm held the most of that land.
CREATE OR REPLACE FUNCTION landreg_sys.target_mujun(in_year integer, at_date date, known_at timestamptz)
RETURNS TABLE (uscc text, xzqdm text, is_above_size boolean, tax_wan double precision, va_wan double precision,
  land_mu double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH held AS (
  SELECT v.id, v.holder_uscc, v.xzqdm, coalesce(v.registered_area_m2::float8, v.area_m2) AS m2
  FROM parcels_all v
  WHERE v.valid_from <= make_date(in_year, 12, 31)
    AND (known_at IS NULL OR v.sys_from <= known_at)
    AND (v.valid_to IS NULL OR v.valid_to > make_date(in_year, 12, 31) OR (known_at IS NOT NULL AND v.sys_to > known_at))
    AND v.holder_uscc IS NOT NULL
),
ev AS (
  SELECT h.holder_uscc AS uscc, e.payload AS j
  FROM parcel_events e JOIN held h ON h.id = e.parcel_id
  WHERE e.type = 'ANNUAL_INDICATORS' AND (e.payload->>'year')::int = in_year
    AND e.event_date <= at_date
    AND (known_at IS NULL OR e.recorded_at <= known_at)
    AND NOT EXISTS (SELECT FROM parcel_events s WHERE s.supersedes = e.id
                    AND (known_at IS NULL OR s.recorded_at <= known_at) AND s.event_date <= at_date)
),
agg AS (
  SELECT ev.uscc, sum((j->>'tax_wan')::float8) AS tax, sum((j->>'va_wan')::float8) AS va,
    CASE WHEN bool_and(j ? 'land_mu_used') THEN sum((j->>'land_mu_used')::float8) END AS reported_mu
  FROM ev GROUP BY ev.uscc
),
land AS (
  SELECT h.holder_uscc AS uscc, sum(h.m2) AS m2,
    (array_agg(h.xzqdm ORDER BY h.m2 DESC, h.xzqdm))[1] AS xzqdm
  FROM held h WHERE h.holder_uscc IN (SELECT a.uscc FROM agg a) GROUP BY h.holder_uscc
)
SELECT a.uscc, l.xzqdm, coalesce(en.is_above_size, false), coalesce(a.tax, 0), a.va,
  coalesce(a.reported_mu, landreg_sys.m2_to_mu(l.m2))
FROM agg a JOIN land l USING (uscc) LEFT JOIN enterprises en ON en.uscc = a.uscc
$$;
