-- The one 低效企业 verdict per enterprise and year (docs/decisions.md, "Enterprise
-- indicators and one 低效 verdict"; domain.md §8.5, §8.6 ruling 11), read by the 亩均
-- report and, through idle_core, by the parcel status, the map and the idle reports.
--  * Figures: the enterprise's row in enterprise_indicators for the year; where it has
--    none, the ANNUAL_INDICATORS events of the parcels it held at the end of that year
--    (of two reports of one parcel and year, the later in legal order), summed. As known
--    now and for the latest year (the status), they are read from the event digest.
--  * Land (亩): the reported land_mu_used (on the row, or on every event summed), else
--    the registered area of the parcels it held at the end of the year.
--  * District: the one where it held the most of that land (its idle_policy gives the
--    threshold low_eff_tax_per_mu_wan); none held: the default policy.
--  * 低效 when 亩均税收 < threshold; NULL (not judged) when it has no land.
-- in_year: that year's verdicts; NULL: each enterprise's latest year on file. at_date:
-- only figures that count by then (recorded by then and their year ended,
-- landreg_sys.indicators_count_from); NULL: all. known_at: as known at that system time
-- (NULL = now). for_usccs, for_parcels, for_district narrow to those enterprises, and
-- to the holders (of any version) of those parcels or of that district's parcels: what a
-- status of some parcels needs. They are arguments without subqueries, so that the
-- function is inlined into idle_core wherever that is (a subquery argument stops it).
DROP FUNCTION IF EXISTS landreg_sys.enterprise_verdicts(integer, date, timestamptz, text[]);
CREATE OR REPLACE FUNCTION landreg_sys.enterprise_verdicts(in_year integer, at_date date, known_at timestamptz,
  for_usccs text[] DEFAULT NULL, for_parcels bigint[] DEFAULT NULL, for_district text DEFAULT NULL)
RETURNS SETOF landreg_sys.enterprise_verdict
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH us AS (
  -- The enterprises judged, when narrowed.
  SELECT unnest(for_usccs) AS uscc
  UNION
  SELECT v.holder_uscc FROM parcels_all v WHERE v.holder_uscc IS NOT NULL AND v.id = ANY (for_parcels)
  UNION
  SELECT v.holder_uscc FROM parcels_all v WHERE v.holder_uscc IS NOT NULL AND v.xzqdm = for_district
),
ei AS (
  -- The enterprise rows as known at known_at: the current version, or the version that
  -- was current then.
  SELECT i.uscc, i.year, i.reported_on, i.tax_wan::float8 AS tax_wan, i.va_wan::float8 AS va_wan,
    i.energy_tce::float8 AS energy_tce, i.emission_t::float8 AS emission_t, i.employees::float8 AS employees,
    i.rd_wan::float8 AS rd_wan, i.revenue_wan::float8 AS revenue_wan, i.invest_wan::float8 AS invest_wan,
    i.land_mu_used::float8 AS land_mu_used
  -- Every enterprise, or (narrowed) theirs through the uscc index: two branches rather
  -- than an OR, which no index serves when the arguments are not constants (the event
  -- rules run idle_core in one generic plan).
  FROM (SELECT * FROM enterprise_indicators x WHERE (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)
        UNION ALL
        -- Joined with us rather than uscc = ANY: the status timeline's periods pass
        -- thousands of holders, and = ANY over an array is a linear search per row.
        SELECT x.* FROM us JOIN enterprise_indicators x ON x.uscc = us.uscc
        WHERE NOT (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)) i
  WHERE (known_at IS NULL OR i.sys_from <= known_at)
    AND (in_year IS NULL OR i.year = in_year)
  UNION ALL
  SELECT h.uscc, h.year, h.reported_on, h.tax_wan::float8, h.va_wan::float8, h.energy_tce::float8,
    h.emission_t::float8, h.employees::float8, h.rd_wan::float8, h.revenue_wan::float8, h.invest_wan::float8,
    h.land_mu_used::float8
  FROM enterprise_indicators_history h
  WHERE known_at IS NOT NULL AND h.sys_from <= known_at AND h.sys_to > known_at
    AND ((for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL) OR h.uscc IN (SELECT us.uscc FROM us))
    AND (in_year IS NULL OR h.year = in_year)
),
ent AS (
  SELECT ei.uscc, ei.year, 'enterprise'::text AS source,
    landreg_sys.indicators_count_from(ei.year, ei.reported_on) AS counts_from,
    ei.tax_wan, ei.va_wan, ei.energy_tce, ei.emission_t, ei.employees, ei.rd_wan, ei.revenue_wan, ei.invest_wan,
    ei.land_mu_used AS reported_mu
  FROM ei
  WHERE at_date IS NULL OR landreg_sys.indicators_count_from(ei.year, ei.reported_on) <= at_date
),
scope AS (
  -- Narrowed: the parcels these enterprises ever held.
  SELECT DISTINCT v.id FROM parcels_all v
  WHERE NOT (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)
    AND v.holder_uscc IN (SELECT us.uscc FROM us)
),
moved AS (
  -- Parcels that changed holder. Their reports go to the holder at each year's end, so
  -- every year of them is read; for any other parcel its latest report is the only one
  -- that can count, since its one holder's latest year is never before it.
  -- Narrowed, only the parcels in scope are looked at.
  SELECT v.id FROM (
    SELECT x.id, x.holder_uscc FROM parcels_all x WHERE (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)
    UNION ALL
    SELECT x.id, x.holder_uscc FROM parcels_all x WHERE NOT (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL) AND x.id = ANY (ARRAY(SELECT scope.id FROM scope))
  ) v
  WHERE v.id IN (SELECT h.id FROM parcels_history h)
  GROUP BY v.id HAVING count(DISTINCT coalesce(v.holder_uscc, '')) > 1
),
ev AS (
  -- Each enterprise's latest year as known now (the status): from the event digest, each
  -- parcel's latest report counting by at_date (moved parcels: below). Employees are
  -- not in the digest; the status does not need them.
  SELECT d.parcel_id,
    d.p_ai[CASE WHEN at_date IS NULL THEN cardinality(d.p_ai) ELSE width_bucket(at_date, d.k_ai) END] AS f,
    NULL::float8 AS employees
  FROM (SELECT * FROM landreg_sys.parcel_event_digest x WHERE (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)
        UNION ALL
        SELECT * FROM landreg_sys.parcel_event_digest x
        WHERE NOT (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL) AND x.parcel_id = ANY (ARRAY(SELECT scope.id FROM scope))) d
  WHERE known_at IS NULL AND in_year IS NULL AND cardinality(d.p_ai) > 0
    AND d.parcel_id NOT IN (SELECT moved.id FROM moved)
  UNION ALL
  -- Otherwise (a year, as known earlier, moved parcels) from the events, not replaced by
  -- a correction known by known_at: per parcel and year the latest report in legal
  -- order, the maximum of the facts (year, day, id first). Every event, or the moved
  -- parcels' through the parcel_id index: two branches rather than an OR, so that the
  -- one whose condition is false is removed at planning (as in idle_core).
  SELECT e.parcel_id, landreg_sys.annual_fact_of(max(e.fact)),
    (array_agg((e.payload->>'employees')::float8 ORDER BY e.fact DESC))[1]
  FROM (
    SELECT x.id, x.parcel_id, x.kind, x.fact, x.event_date, x.recorded_at, x.payload FROM parcel_events x
    WHERE (known_at IS NOT NULL OR in_year IS NOT NULL)
      AND for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL
    UNION ALL
    -- Narrowed: the events of the parcels in scope, through the parcel_id index.
    SELECT x.id, x.parcel_id, x.kind, x.fact, x.event_date, x.recorded_at, x.payload FROM parcel_events x
    WHERE (known_at IS NOT NULL OR in_year IS NOT NULL)
      AND NOT (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)
      AND x.parcel_id = ANY (ARRAY(SELECT scope.id FROM scope))
    UNION ALL
    SELECT x.id, x.parcel_id, x.kind, x.fact, x.event_date, x.recorded_at, x.payload FROM moved JOIN parcel_events x ON x.parcel_id = moved.id
    WHERE known_at IS NULL AND in_year IS NULL
  ) e
  WHERE e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
    AND (known_at IS NULL OR e.recorded_at <= known_at)
    AND (in_year IS NULL OR e.fact[1] = in_year)
    AND (at_date IS NULL OR landreg_sys.indicators_count_from(e.fact[1]::int, e.event_date) <= at_date)
    AND e.id NOT IN (SELECT s.supersedes FROM parcel_events s
                     WHERE s.supersedes IS NOT NULL AND (known_at IS NULL OR s.recorded_at <= known_at))
  GROUP BY e.parcel_id, e.fact[1]
),
held_ev AS (
  -- Each report with the holder of its parcel at the end of the report's year. Every
  -- enterprise: v.id + 0, a hash join over the parcels rather than an index probe per
  -- report (100,000 probes into the two-table view cost 1 s; one pass over the
  -- parcels, a tenth). Many enterprises (a district, or the thousands of a bulk
  -- refresh's verdict periods): joined, their holders hashed; an = ANY would search
  -- the array per row. A few (an event's refresh): each report's parcel by the id
  -- index, in a lateral that cannot be flattened, because the event rules' cached
  -- generic plan cannot see how few they are, and at a million parcels it sorted every
  -- parcel for a merge join on every event write. The branches whose condition is
  -- false are cut at run time.
  SELECT ev.f, ev.employees, v.holder_uscc
  FROM ev JOIN parcels_all v ON v.id + 0 = ev.parcel_id
   AND v.valid_from <= make_date((ev.f).year, 12, 31)
   AND (known_at IS NULL OR v.sys_from <= known_at)
   AND (v.valid_to IS NULL OR v.valid_to > make_date((ev.f).year, 12, 31) OR (known_at IS NOT NULL AND v.sys_to > known_at))
  WHERE for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL
  UNION ALL
  SELECT ev.f, ev.employees, v.holder_uscc
  FROM ev CROSS JOIN LATERAL (
    SELECT x.holder_uscc FROM parcels_all x
    WHERE x.id = ev.parcel_id
      AND x.valid_from <= make_date((ev.f).year, 12, 31)
      AND (known_at IS NULL OR x.sys_from <= known_at)
      AND (x.valid_to IS NULL OR x.valid_to > make_date((ev.f).year, 12, 31) OR (known_at IS NOT NULL AND x.sys_to > known_at))
    OFFSET 0
  ) v
  WHERE NOT (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)
    AND landreg_sys.verdicts_few(for_usccs, for_parcels, for_district)
    AND v.holder_uscc IN (SELECT us.uscc FROM us)
  UNION ALL
  SELECT ev.f, ev.employees, v.holder_uscc
  FROM ev JOIN parcels_all v ON v.id = ev.parcel_id
   AND v.valid_from <= make_date((ev.f).year, 12, 31)
   AND (known_at IS NULL OR v.sys_from <= known_at)
   AND (v.valid_to IS NULL OR v.valid_to > make_date((ev.f).year, 12, 31) OR (known_at IS NOT NULL AND v.sys_to > known_at))
  WHERE NOT (for_usccs IS NULL AND for_parcels IS NULL AND for_district IS NULL)
    AND NOT landreg_sys.verdicts_few(for_usccs, for_parcels, for_district)
    AND v.holder_uscc IN (SELECT us.uscc FROM us)
),
leg AS (
  -- Summed per holder of the parcel at the end of the report's year.
  SELECT ev.holder_uscc AS uscc, (ev.f).year AS year, 'events'::text AS source,
    max(landreg_sys.indicators_count_from((ev.f).year, (ev.f).day)) AS counts_from,
    sum((ev.f).tax_wan) AS tax_wan, sum((ev.f).va_wan) AS va_wan, sum((ev.f).energy_tce) AS energy_tce,
    sum((ev.f).emission_t) AS emission_t, sum(ev.employees) AS employees, sum((ev.f).rd_wan) AS rd_wan,
    sum((ev.f).revenue_wan) AS revenue_wan, NULL::float8 AS invest_wan,
    CASE WHEN bool_and((ev.f).land_mu_used IS NOT NULL) THEN sum((ev.f).land_mu_used) END AS reported_mu
  FROM held_ev ev
  WHERE (ev.f).year IS NOT NULL AND ev.holder_uscc IS NOT NULL
  GROUP BY ev.holder_uscc, (ev.f).year
),
cand AS (
  -- An enterprise's own row for a year wins over its parcels' reports of that year.
  SELECT * FROM ent
  UNION ALL
  SELECT l.* FROM leg l WHERE NOT EXISTS (SELECT 1 FROM ei WHERE ei.uscc = l.uscc AND ei.year = l.year)
),
pick AS (
  SELECT DISTINCT ON (c.uscc) c.* FROM cand c ORDER BY c.uscc, c.year DESC
),
held AS (
  -- The parcels each enterprise held at the end of its year, per district.
  SELECT k.uscc, v.xzqdm, sum(coalesce(v.registered_area_m2::float8, v.area_m2)) AS m2
  FROM pick k
  JOIN parcels_all v ON v.holder_uscc = k.uscc
   AND v.valid_from <= make_date(k.year, 12, 31)
   AND (known_at IS NULL OR v.sys_from <= known_at)
   AND (v.valid_to IS NULL OR v.valid_to > make_date(k.year, 12, 31) OR (known_at IS NOT NULL AND v.sys_to > known_at))
  GROUP BY k.uscc, v.xzqdm
),
land AS (
  SELECT h.uscc, sum(h.m2) AS m2, (array_agg(h.xzqdm ORDER BY h.m2 DESC, h.xzqdm))[1] AS xzqdm
  FROM held h GROUP BY h.uscc
),
j AS (
  SELECT k.*, l.xzqdm,
    coalesce(k.reported_mu, nullif(landreg_sys.m2_to_mu(l.m2), 0)) AS land_mu,
    CASE WHEN k.reported_mu IS NOT NULL THEN 'reported' WHEN l.m2 > 0 THEN 'parcels' ELSE 'none' END AS land_source,
    (landreg_sys.policy(l.xzqdm, make_date(k.year, 12, 31), known_at)).low_eff_tax_per_mu_wan::float8 AS threshold
  FROM pick k LEFT JOIN land l USING (uscc)
)
SELECT j.uscc, j.year, j.xzqdm, j.source, j.counts_from, j.tax_wan, j.va_wan, j.energy_tce, j.emission_t,
  j.employees, j.rd_wan, j.revenue_wan, j.invest_wan, j.land_mu, j.land_source, j.threshold,
  landreg_sys.ratio(j.tax_wan, j.land_mu),
  CASE WHEN j.land_mu > 0 THEN j.tax_wan / j.land_mu < j.threshold END
FROM j
$$;
