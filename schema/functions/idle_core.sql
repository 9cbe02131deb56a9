-- The status of parcels as of legal date at_date (domain.md §8.4), as known at system
-- time known_at (NULL = now): only events recorded by then count, minus those replaced
-- by a correction recorded by then, and the parcel record is the version known then.
-- in_district / only_id / only_ids narrow the parcels. Rows: parcels with a version
-- valid at at_date; with only_id, also a parcel retired (deleted) on or before at_date.
-- Now: the events' facts come from the digest; as known at an earlier time: from the
-- events (kind and fact of 00006, read through landreg_sys.*_fact_of), aggregated in
-- one pass. Then the decision functions (landreg_sys.start_deadline, stalled_since, …,
-- one file each) decide. LANGUAGE sql, STABLE, no SET clause: PostgreSQL inlines it
-- into the caller's query, and the decision functions into it, so constant arguments
-- (NULL district, one id, NULL known_at) simplify the plan. Callers set DateStyle ISO
-- (the reasons' dates are written as text) and JIT off.
-- The column thresholds lists the dates on which this status changes by the passage of
-- time alone (nothing more recorded): the deadlines the tests compare the day with. The
-- status timeline (refresh_status_timeline) evaluates the function there.
-- Pairs: with pair_ids and pair_days (at_date NULL, as known now only), the status of
-- parcel pair_ids[i] on day pair_days[i], every pair in one execution; the last column,
-- day, says which day a row is for. The timeline and the event rules ask for thousands
-- of (parcel, day) pairs at once, where one execution per day would repeat the fixed
-- cost of the statement per day. Every test below reads its day from the row (p.at).
-- few_pairs (a constant in the caller) chooses the plan for a few pairs (few_day_pairs)
-- or for many (day_pairs).
DROP FUNCTION IF EXISTS landreg_sys.idle_core(date, timestamptz, text, bigint, bigint[]);
DROP FUNCTION IF EXISTS landreg_sys.idle_core(date, timestamptz, text, bigint, bigint[], bigint[], date[]);
DROP FUNCTION IF EXISTS landreg_sys.idle_core(date, timestamptz, text, bigint, bigint[], bigint[], date[], boolean);
CREATE FUNCTION landreg_sys.idle_core(at_date date, known_at timestamptz, in_district text, only_id bigint,
  only_ids bigint[] DEFAULT NULL, pair_ids bigint[] DEFAULT NULL, pair_days date[] DEFAULT NULL,
  few_pairs boolean DEFAULT false)
RETURNS TABLE (parcel_id bigint, zddm text, xzqdm text, category text, category_zh text, since date,
  reasons json, deadline date, idle_fee_wan numeric, low_efficiency boolean, indicator_year integer,
  tax_per_mu_wan double precision, va_per_mu_wan double precision, unused_area_m2 double precision,
  registered_area_m2 numeric, area_m2 double precision, thresholds date[], day date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH p AS (
  -- The parcel version valid at at_date as known at known_at: a version closed after
  -- known_at was still the open (current) version then, so its valid_to is ignored.
  -- Numeric columns are compared as float8, converted here once (numeric to float8
  -- goes through text: 0.3 µs a value); the numeric originals are what reasons show.
  SELECT v.id, v.zddm, v.xzqdm, v.holder_uscc, v.registered_area_m2, v.registered_area_m2::float8 AS registered_m2,
         v.area_m2, v.price_wan, v.contract_date, v.valid_from, v.agreed_start, v.agreed_completion,
         v.agreed_rampup_review, v.far_min::float8 AS far_min, v.coverage_min::float8 AS coverage_min,
         -- The agreed indicators stay numeric: landreg_sys.short_of converts them only
         -- for the parcels whose indicators are judged.
         v.tax_per_mu_wan, v.va_per_mu_wan, v.energy_va_wan_per_tce, v.emission_va_wan_per_t, v.rd_ratio,
         v.invest_intensity_wan_per_mu, v.at,
         -- Retired by DELETE on or before the day (and known to be by known_at).
         (v.retired AND v.valid_to <= v.at AND (known_at IS NULL OR v.sys_to <= known_at)) AS deleted,
         v.valid_to AS retired_on
  -- Every parcel, or the ones named through the primary key: two branches rather than
  -- an OR, which no index serves when the arguments are not constants (the event rules
  -- run this function in one generic plan).
  -- The pairs are a third branch, each parcel with its own day.
  FROM (SELECT x.*, at_date AS at FROM parcels_all x WHERE only_id IS NULL AND only_ids IS NULL AND pair_ids IS NULL
        UNION ALL
        SELECT x.*, at_date FROM parcels_all x
        WHERE x.id = ANY (CASE WHEN only_id IS NOT NULL THEN ARRAY[only_id] ELSE only_ids END)
        UNION ALL
        SELECT x.*, q.d FROM landreg_sys.day_pairs(pair_ids, pair_days) q JOIN parcels_all x ON x.id = q.id
        WHERE known_at IS NULL AND NOT few_pairs
        UNION ALL
        SELECT x.*, q.d FROM landreg_sys.few_day_pairs(pair_ids, pair_days) q JOIN parcels_all x ON x.id = q.id
        WHERE known_at IS NULL AND few_pairs) v
  WHERE (in_district IS NULL OR v.xzqdm = in_district)
    AND v.valid_from <= v.at
    AND (known_at IS NULL OR v.sys_from <= known_at)
    AND (v.valid_to IS NULL OR v.valid_to > v.at
         OR (known_at IS NOT NULL AND v.sys_to > known_at)
         OR (only_id IS NOT NULL AND v.retired))
  OFFSET 0
),
dg AS (
  -- Now (known_at NULL): the digest of each parcel's events, kept by the event trigger.
  -- width_bucket(day, keys) counts the keys <= day (the keys are sorted), so it is the
  -- number of a type's events that count on the day, and the position of the latest
  -- figures they give.
  SELECT d.*, width_bucket(d.at, d.k_ext) AS n_ext, width_bucket(d.at, d.k_prog) AS n_prog,
    width_bucket(d.at, d.k_pv) AS n_pv, width_bucket(d.at, d.k_ai) AS n_ai,
    width_bucket(d.at, d.k_gov) AS n_gov, width_bucket(d.at, d.k_rr) AS n_rr
  FROM (SELECT x.*, at_date AS at FROM landreg_sys.parcel_event_digest x
        WHERE only_id IS NULL AND only_ids IS NULL AND pair_ids IS NULL
        UNION ALL
        SELECT x.*, at_date FROM landreg_sys.parcel_event_digest x
        WHERE x.parcel_id = ANY (CASE WHEN only_id IS NOT NULL THEN ARRAY[only_id] ELSE only_ids END)
        UNION ALL
        SELECT x.*, q.d FROM landreg_sys.day_pairs(pair_ids, pair_days) q
        JOIN landreg_sys.parcel_event_digest x ON x.parcel_id = q.id WHERE NOT few_pairs
        UNION ALL
        SELECT x.*, q.d FROM landreg_sys.few_day_pairs(pair_ids, pair_days) q
        JOIN landreg_sys.parcel_event_digest x ON x.parcel_id = q.id WHERE few_pairs) d
  WHERE known_at IS NULL
    -- One district: its parcels' digests through the primary key (an IN would hash
    -- all 200,000 digests).
    AND (in_district IS NULL OR d.parcel_id = ANY (ARRAY(SELECT v.id FROM parcels_all v WHERE v.xzqdm = in_district)))
  OFFSET 0
),
ev AS (
  -- The same facts per parcel from either source: dates of events by type (first or
  -- latest by at_date) and the latest named facts (landreg_sys.*_fact).
  SELECT dg.parcel_id, dg.at,
    CASE WHEN dg.d_recovery[1] <= dg.at THEN dg.d_recovery[1] END AS recovered,
    dg.d_disposed[width_bucket(dg.at, dg.d_disposed)] AS disposed,
    dg.d_adverse[width_bucket(dg.at, dg.d_adverse)] AS adverse,
    CASE WHEN dg.d_delivered[1] <= dg.at THEN dg.d_delivered[1] END AS delivered,
    CASE WHEN dg.d_started[1] <= dg.at THEN dg.d_started[1] END AS started,
    CASE WHEN dg.d_completed[1] <= dg.at THEN dg.d_completed[1] END AS completed,
    CASE WHEN dg.d_producing[1] <= dg.at THEN dg.d_producing[1] END AS prod_first,
    dg.d_producing[width_bucket(dg.at, dg.d_producing)] AS prod_last,
    dg.d_stopped[width_bucket(dg.at, dg.d_stopped)] AS stopped,
    dg.d_resumed[width_bucket(dg.at, dg.d_resumed)] AS resumed,
    dg.d_susp[width_bucket(dg.at, dg.d_susp)] AS suspended,
    dg.p_ext[dg.n_ext] AS ext, dg.p_gov[dg.n_gov] AS gov, dg.p_prog[dg.n_prog] AS prog,
    dg.p_pv[dg.n_pv] AS pv, dg.p_ai[dg.n_ai] AS ai, dg.p_rr[dg.n_rr] AS rr
  FROM dg
  UNION ALL
  -- As known at an earlier time: the events themselves, aggregated over kind and fact.
  SELECT e.parcel_id, at_date,
    min(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('RECOVERY_DECIDED')) AS recovered,
    max(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('DISPOSED')) AS disposed,
    max(e.event_date) FILTER (WHERE landreg_sys.adverse_kind(e.kind)) AS adverse,
    min(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('LAND_DELIVERED')) AS delivered,
    min(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('STARTED')) AS started,
    min(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('COMPLETED')) AS completed,
    min(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('PRODUCTION_STARTED')) AS prod_first,
    max(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('PRODUCTION_STARTED')) AS prod_last,
    max(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('PRODUCTION_STOPPED')) AS stopped,
    max(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('RESUMED')) AS resumed,
    max(e.event_date) FILTER (WHERE e.kind = landreg_sys.event_kind('SUSPENDED')) AS suspended,
    -- The latest of a type is the maximum of its fact arrays (they start with the
    -- event's place in legal order, 00006).
    landreg_sys.extension_fact_of(max(e.fact) FILTER (WHERE e.kind = landreg_sys.event_kind('EXTENSION_APPROVED'))) AS ext,
    -- Government causes that count by at_date: the earliest start and the latest end.
    ROW(min((landreg_sys.gov_cause_fact_of(e.fact)).began)
          FILTER (WHERE e.kind = landreg_sys.event_kind('GOV_CAUSE')
                    AND landreg_sys.gov_cause_counts_from((landreg_sys.gov_cause_fact_of(e.fact)).began, e.event_date) <= at_date),
        max((landreg_sys.gov_cause_fact_of(e.fact)).ends)
          FILTER (WHERE e.kind = landreg_sys.event_kind('GOV_CAUSE')
                    AND landreg_sys.gov_cause_counts_from((landreg_sys.gov_cause_fact_of(e.fact)).began, e.event_date) <= at_date)
       )::landreg_sys.gov_cause_fact AS gov,
    -- The latest report of either ratio (PROGRESS or SUSPENDED).
    landreg_sys.progress_fact_of(max(e.fact) FILTER (WHERE landreg_sys.ratio_kind(e.kind)
      AND ((landreg_sys.progress_fact_of(e.fact)).developed_ratio IS NOT NULL
           OR (landreg_sys.progress_fact_of(e.fact)).invested_ratio IS NOT NULL))) AS prog,
    landreg_sys.planning_fact_of(max(e.fact) FILTER (WHERE e.kind = landreg_sys.event_kind('PLANNING_VERIFIED'))) AS pv,
    -- The latest year whose report counts by at_date; of two reports for one year, the
    -- later in legal order.
    landreg_sys.annual_fact_of(max(e.fact) FILTER (WHERE e.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')
      AND landreg_sys.indicators_count_from((landreg_sys.annual_fact_of(e.fact)).year, e.event_date) <= at_date)) AS ai,
    -- The latest ramp-up review (达产复核).
    landreg_sys.rampup_fact_of(max(e.fact) FILTER (WHERE e.kind = landreg_sys.event_kind('RAMPUP_REVIEWED'))) AS rr
  FROM (
    -- Every event, (one district) the events of its parcels, or (some parcels) theirs,
    -- the last two through the parcel_id index. Branches rather than an OR, so that the
    -- planner can turn the IN into a semi-join and probe the index for named parcels
    -- even in a generic plan (the event rules' per-row check); the branches whose
    -- condition is false are cut at planning or at run time.
    SELECT x.id, x.parcel_id, x.event_date, x.recorded_at, x.kind, x.fact FROM parcel_events x
    WHERE in_district IS NULL AND known_at IS NOT NULL AND only_id IS NULL AND only_ids IS NULL
    UNION ALL
    SELECT x.id, x.parcel_id, x.event_date, x.recorded_at, x.kind, x.fact FROM parcel_events x
    WHERE in_district IS NOT NULL AND known_at IS NOT NULL AND only_id IS NULL AND only_ids IS NULL
      AND x.parcel_id IN (SELECT v.id FROM parcels_all v WHERE v.xzqdm = in_district)
    UNION ALL
    SELECT x.id, x.parcel_id, x.event_date, x.recorded_at, x.kind, x.fact FROM parcel_events x
    WHERE known_at IS NOT NULL
      AND x.parcel_id = ANY (CASE WHEN only_id IS NOT NULL THEN ARRAY[only_id] ELSE only_ids END)
  ) e
  WHERE e.event_date <= at_date
    AND (known_at IS NULL OR e.recorded_at <= known_at)
    AND landreg_sys.status_kind(e.kind)
    -- Not replaced by a correction recorded by known_at. NOT IN over a small set: a
    -- hashed subplan, probed once per event (and run by parallel workers as well).
    AND e.id NOT IN (SELECT s.supersedes FROM parcel_events s
                     WHERE s.supersedes IS NOT NULL AND (known_at IS NULL OR s.recorded_at <= known_at))
  GROUP BY e.parcel_id
),
pol AS (
  -- Policy per district in force at at_date (as known at known_at), looked up once per
  -- district rather than once per parcel; for pairs, once per district and period of a
  -- policy version (landreg_sys.policy_periods), each parcel joined to its day's period.
  SELECT pl.xzqdm, dd.from_day, dd.until_day, pl.production_grace_months, pl.stopped_months, pl.completion_grace_months,
    pl.rampup_years, pl.idle_fee_share, pl.far_floor::float8 AS far_floor, pl.far_floor_from,
    pl.coverage_floor::float8 AS coverage_floor, pl.unused_share::float8 AS unused_share,
    pl.unused_min_mu::float8 * 10000 / 15 AS unused_min_m2, pl.low_eff_tax_per_mu_wan,
    pl.low_eff_tax_per_mu_wan::float8 AS low_eff_tax
  FROM (
    -- Some parcels: only their districts.
    SELECT x.xzqdm, at_date AS from_day, NULL::date AS until_day FROM districts x
    WHERE pair_ids IS NULL AND (in_district IS NULL OR x.xzqdm = in_district)
      AND ((only_id IS NULL AND only_ids IS NULL)
           OR x.xzqdm = ANY (ARRAY(SELECT v.xzqdm FROM parcels_all v
                                   WHERE v.id = ANY (CASE WHEN only_id IS NOT NULL THEN ARRAY[only_id] ELSE only_ids END))))
    UNION ALL
    SELECT r.xzqdm, r.from_day, r.until_day FROM landreg_sys.policy_periods(pair_ids) r WHERE pair_ids IS NOT NULL
  ) dd CROSS JOIN LATERAL landreg_sys.policy(dd.xzqdm, dd.from_day, known_at) pl
  OFFSET 0
),
b AS (
  -- Facts per parcel, unpacked from the named facts, and what the policy makes of them.
  -- A completion or production record is evidence of a start (ruling 8), production
  -- of completion: started and completed are as the events prove them.
  SELECT p.*, ev.recovered, ev.disposed, ev.adverse, ev.delivered,
    landreg_sys.started_by(ev.started, ev.completed, ev.prod_first) AS started,
    landreg_sys.completed_by(ev.completed, ev.prod_first) AS completed,
    ev.prod_first, ev.prod_last, ev.stopped, (ev.gov).began AS gov_from, (ev.gov).ends AS gov_until,
    pol.production_grace_months, pol.stopped_months, pol.completion_grace_months,
    pol.low_eff_tax, pol.idle_fee_share,
    landreg_sys.start_deadline(p.agreed_start, (ev.ext).new_deadline, ev.delivered) AS deadline,
    landreg_sys.rampup_review(p.agreed_rampup_review, ev.prod_first, pol.rampup_years) AS review,
    landreg_sys.open_suspension(ev.suspended, ev.resumed) AS suspended,
    -- The latest ratios reported by the day, on a SUSPENDED or a PROGRESS report.
    (ev.prog).developed_ratio AS developed_ratio, (ev.prog).invested_ratio AS invested_ratio,
    (ev.pv).day AS verified, (ev.pv).far AS v_far, (ev.pv).coverage AS v_coverage, (ev.pv).unused_area_m2 AS v_unused,
    landreg_sys.far_needed(p.far_min, p.contract_date, pol.far_floor, pol.far_floor_from) AS far_needed,
    landreg_sys.coverage_needed(p.coverage_min, pol.coverage_floor) AS coverage_needed,
    landreg_sys.unused_limit(p.registered_m2, p.area_m2, pol.unused_share, pol.unused_min_m2) AS unused_limit,
    (ev.ai).year AS ai_year, (ev.ai).day AS ai_date, ev.ai,
    landreg_sys.indicator_mu((ev.ai).land_mu_used, p.registered_m2) AS ai_mu,
    -- 投资强度 over the parcel's own site (§3), from the year's report and the review.
    landreg_sys.invest_per_mu((ev.ai).invest_wan, coalesce(p.registered_m2, p.area_m2)) AS ai_invest_mu,
    (ev.rr).day AS reviewed, (ev.rr).passed AS review_passed,
    landreg_sys.invest_per_mu((ev.rr).invest_wan, coalesce(p.registered_m2, p.area_m2)) AS rr_invest_mu
  FROM p
  JOIN pol ON pol.xzqdm = p.xzqdm AND pol.from_day <= p.at AND (pol.until_day IS NULL OR p.at < pol.until_day)
  LEFT JOIN ev ON ev.parcel_id = p.id AND ev.at = p.at
  OFFSET 0
),
-- The tests, each as the date it first holds (NULL: it does not hold). f, g and c end
-- in OFFSET 0, which keeps each a subquery of its own: its columns are computed once
-- per parcel and read by reference. Flattened, every later mention of a column would
-- repeat its expression (category is mentioned 25 times); MATERIALIZED would copy
-- every row through a tuplestore. The decisions are the landreg_sys functions named
-- here (one file each under schema/functions); they are plain SQL expressions, which
-- PostgreSQL inlines.
f AS (
  SELECT b.id, b.at, b.zddm, b.xzqdm, b.holder_uscc, b.registered_area_m2, b.area_m2, b.price_wan, b.idle_fee_share,
    b.contract_date, b.valid_from, b.agreed_completion, b.deleted, b.retired_on, b.recovered,
    b.disposed, b.delivered, b.started, b.completed, b.prod_first, b.prod_last, b.stopped,
    b.gov_from, b.gov_until, b.deadline, b.review, b.suspended, b.developed_ratio, b.invested_ratio,
    b.v_far, b.v_coverage, b.v_unused, b.far_needed, b.coverage_needed, b.unused_limit,
    b.production_grace_months, b.completion_grace_months, b.stopped_months, b.ai_year, b.ai_date, b.low_eff_tax,
    b.tax_per_mu_wan, b.va_per_mu_wan, b.energy_va_wan_per_tce, b.emission_va_wan_per_t, b.rd_ratio,
    b.invest_intensity_wan_per_mu, b.ai_invest_mu, b.reviewed, b.review_passed, b.rr_invest_mu,
    landreg_sys.review_failed_since(b.completed, b.reviewed, b.review_passed, b.rr_invest_mu,
      b.invest_intensity_wan_per_mu) AS s_review,
    b.deleted OR b.recovered IS NOT NULL AS retired,
    landreg_sys.idle_since(b.deadline, 1) AS deadline_1y,
    landreg_sys.idle_since(b.deadline, 2) AS deadline_2y,
    landreg_sys.production_due(b.completed, b.production_grace_months) AS production_due,
    landreg_sys.disposal_stands(b.disposed, b.adverse) AS disposed_ok,
    landreg_sys.gov_cause_covers(b.gov_until, b.deadline) AS gov,
    landreg_sys.stalled_since(b.started, b.completed, b.suspended, b.developed_ratio, b.invested_ratio, b.at) AS s_stalled,
    landreg_sys.construction_overdue(b.started, b.completed, b.agreed_completion, b.completion_grace_months, b.at) AS s_late,
    landreg_sys.below_minimum_since(b.completed, b.verified, b.v_far, b.far_needed) AS s_far,
    landreg_sys.below_minimum_since(b.completed, b.verified, b.v_coverage, b.coverage_needed) AS s_coverage,
    landreg_sys.unused_since(b.completed, b.verified, b.v_unused, b.unused_limit) AS s_unused,
    landreg_sys.not_producing_since(b.completed, b.prod_first, b.production_grace_months, b.at) AS s_idle_built,
    landreg_sys.production_stopped_since(b.completed, b.stopped, b.prod_last, b.stopped_months, b.at) AS s_stopped,
    landreg_sys.indicators_judged(b.completed, b.prod_first, b.review, b.ai_year, b.at) AS judged,
    landreg_sys.ratio((b.ai).tax_wan, b.ai_mu) AS ai_tax_mu,
    landreg_sys.ratio((b.ai).va_wan, b.ai_mu) AS ai_va_mu,
    landreg_sys.ratio((b.ai).va_wan, (b.ai).energy_tce) AS ai_energy_va,
    landreg_sys.ratio((b.ai).va_wan, (b.ai).emission_t) AS ai_emission_va,
    landreg_sys.ratio((b.ai).rd_wan, (b.ai).revenue_wan) AS ai_rd
  FROM b
  OFFSET 0
),
g AS (
  SELECT f.*,
    -- Shortfalls against the agreed indicators, where both sides exist (investment
    -- intensity from the year's invest_wan, ruling 12).
    landreg_sys.below_target_since(f.judged,
      landreg_sys.short_of(f.ai_tax_mu, f.tax_per_mu_wan) OR landreg_sys.short_of(f.ai_va_mu, f.va_per_mu_wan)
        OR landreg_sys.short_of(f.ai_energy_va, f.energy_va_wan_per_tce)
        OR landreg_sys.short_of(f.ai_emission_va, f.emission_va_wan_per_t) OR landreg_sys.short_of(f.ai_rd, f.rd_ratio)
        OR landreg_sys.short_of(f.ai_invest_mu, f.invest_intensity_wan_per_mu),
      f.review, f.ai_date, f.ai_year) AS s_below_ai
  FROM f
  OFFSET 0
),
g2 AS (
  -- 投而未达 by the indicators or by a failed ramp-up review, whichever holds first (no
  -- OFFSET: flattened into c, where least() of two columns is cheap to repeat).
  SELECT g.*, least(g.s_below_ai, g.s_review) AS s_below FROM g
),
c AS (
  SELECT g.*,
    CASE
      WHEN g.retired THEN 'RETIRED'
      WHEN g.disposed_ok THEN 'NORMAL'
      WHEN g.started IS NULL THEN landreg_sys.unstarted_category(g.deadline, g.gov, g.at)
      ELSE landreg_sys.started_category(g.s_stalled, coalesce(g.s_late, g.s_far, g.s_coverage, g.s_unused),
                                        coalesce(g.s_idle_built, g.s_stopped), g.s_below, g.completed)
    END AS category
  FROM g2 g
  OFFSET 0
)
SELECT c.id, c.zddm, c.xzqdm, c.category, ic.zh,
  CASE c.category
    WHEN 'RETIRED' THEN CASE WHEN c.deleted THEN c.retired_on ELSE c.recovered END
    WHEN 'SUPPLIED_NOT_DUE' THEN coalesce(c.delivered, c.contract_date, c.valid_from)
    WHEN 'OVERDUE_START' THEN c.deadline
    WHEN 'IDLE_GOV' THEN c.deadline_1y
    WHEN 'IDLE_1Y' THEN c.deadline_1y
    WHEN 'IDLE_2Y' THEN c.deadline_2y
    WHEN 'IDLE_STALLED' THEN c.s_stalled
    WHEN 'UNDERUSED' THEN least(c.s_late, c.s_far, c.s_coverage, c.s_unused)
    WHEN 'BUILT_NOT_PRODUCING' THEN least(c.s_idle_built, c.s_stopped)
    WHEN 'BELOW_TARGET' THEN c.s_below
    WHEN 'UNDER_CONSTRUCTION' THEN c.started
    ELSE CASE WHEN c.disposed_ok THEN c.disposed
              WHEN c.prod_first IS NULL THEN c.completed
              WHEN c.judged THEN greatest(c.review, c.ai_date)
              ELSE c.prod_first END
  END,
  -- Reasons, most serious first: JSON text joined from pre-escaped constants and
  -- ISO dates (the callers fix DateStyle), cast to json once. json_build_object per
  -- reason cost 3× as much (it looks up every argument's type on every call).
  ('[' || concat_ws(',',
    CASE WHEN c.category = 'RETIRED' THEN CASE
      WHEN c.deleted THEN landreg_sys.idle_reason_json('PARCEL_RETIRED', 'RETIRED', '宗地已注销',
        'parcel retired from the register', c.retired_on, NULL)
      ELSE landreg_sys.idle_reason_json('RECOVERY_DECIDED', 'RETIRED', '已决定收回土地使用权',
        'recovery of the land-use right decided', c.recovered, NULL) END END,
    CASE WHEN c.category <> 'RETIRED' AND c.disposed_ok THEN landreg_sys.idle_reason_json('DISPOSED', 'NORMAL',
      '已处置', 'disposed of (put back to use)', c.disposed, NULL) END,
    CASE WHEN c.started IS NULL AND NOT c.retired AND NOT c.disposed_ok THEN CASE c.category
      WHEN 'SUPPLIED_NOT_DUE' THEN CASE WHEN c.deadline IS NULL
        THEN landreg_sys.idle_reason_json('NO_DEADLINE', c.category, '未交地，开工期限未定',
          'land not delivered: no start deadline yet', coalesce(c.contract_date, c.valid_from), NULL)
        ELSE landreg_sys.idle_reason_json('START_NOT_DUE', c.category, '未到开工期限',
          'start deadline not reached', coalesce(c.delivered, c.contract_date, c.valid_from),
          ',"deadline":' || landreg_sys.json_date(c.deadline)) END
      WHEN 'OVERDUE_START' THEN landreg_sys.idle_reason_json('START_OVERDUE', c.category,
        '超过开工期限未动工', 'not started by the start deadline', c.deadline,
        ',"deadline":' || landreg_sys.json_date(c.deadline))
      WHEN 'IDLE_GOV' THEN landreg_sys.idle_reason_json('IDLE_GOV', c.category,
        '未动工满一年，因政府原因（不征收闲置费）',
        'not started one year after the deadline, for a government cause (no idle fee)',
        c.deadline_1y, ',"deadline":' || landreg_sys.json_date(c.deadline)
          || ',"gov_cause_from":' || landreg_sys.json_date(c.gov_from)
          || ',"gov_cause_to":' || landreg_sys.json_date(CASE WHEN c.gov_until < 'infinity' THEN c.gov_until END))
      WHEN 'IDLE_1Y' THEN landreg_sys.idle_reason_json('IDLE_1Y', c.category,
        '未动工满一年，征缴土地闲置费', 'not started one year after the deadline: idle fee due',
        c.deadline_1y, ',"deadline":' || landreg_sys.json_date(c.deadline))
      ELSE landreg_sys.idle_reason_json('IDLE_2Y', c.category,
        '未动工满两年，可无偿收回', 'not started two years after the deadline: recovery without compensation possible',
        c.deadline_2y, ',"deadline":' || landreg_sys.json_date(c.deadline)) END END,
    -- Started or completed: every test that holds.
    CASE WHEN c.s_stalled IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'IDLE_STALLED', 'IDLE_STALLED', '已动工但开发面积不足三分之一或投资不足25%，中止开发满一年',
      'development suspended for one year with under 1/3 of the land developed or under 25 % invested',
      c.s_stalled, ',"suspended":' || landreg_sys.json_date(c.suspended)
        || ',"developed_land_ratio":' || landreg_sys.json_float(c.developed_ratio)
        || ',"invested_ratio":' || landreg_sys.json_float(c.invested_ratio)) END,
    CASE WHEN c.s_late IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'CONSTRUCTION_OVERDUE', 'UNDERUSED', '超过约定竣工期限未竣工（在建逾期）',
      'not completed by the agreed completion date plus grace', c.s_late,
      ',"agreed_completion":' || landreg_sys.json_date(c.agreed_completion)) END,
    CASE WHEN c.s_far IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'LOW_FAR', 'UNDERUSED', '容积率低于约定下限', 'floor-area ratio below the agreed minimum', c.s_far,
      ',"far":' || landreg_sys.json_float(c.v_far) || ',"far_min":' || landreg_sys.json_float(c.far_needed)) END,
    CASE WHEN c.s_coverage IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'LOW_COVERAGE', 'UNDERUSED', '建筑系数低于下限', 'building coverage below the minimum', c.s_coverage,
      ',"coverage":' || landreg_sys.json_float(c.v_coverage)
        || ',"coverage_min":' || landreg_sys.json_float(c.coverage_needed)) END,
    CASE WHEN c.s_unused IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'UNUSED_AREA', 'UNDERUSED', '未利用土地面积过大', 'undeveloped part too large', c.s_unused,
      ',"unused_area_m2":' || landreg_sys.json_float(c.v_unused)
        || ',"limit_m2":' || landreg_sys.json_number(round(c.unused_limit::numeric, 2))) END,
    CASE WHEN c.s_idle_built IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'NOT_PRODUCING', 'BUILT_NOT_PRODUCING', '竣工后超过宽限期未投产',
      'not producing after the grace period since completion', c.s_idle_built,
      ',"completed":' || landreg_sys.json_date(c.completed)) END,
    CASE WHEN c.s_stopped IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'PRODUCTION_STOPPED', 'BUILT_NOT_PRODUCING', '停产超过规定期限',
      'production stopped beyond the allowed period', c.s_stopped,
      ',"stopped":' || landreg_sys.json_date(c.stopped)) END,
    CASE WHEN c.s_review IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'RAMPUP_FAILED', 'BELOW_TARGET', '达产复核未通过', 'the ramp-up review failed', c.s_review,
      ',"reviewed":' || landreg_sys.json_date(c.reviewed) || ',"passed":' || coalesce(c.review_passed::text, 'null')
        || ',"invest_per_mu_wan":' || landreg_sys.json_number(round(c.rr_invest_mu::numeric, 2))
        || ',"invest_per_mu_agreed":' || landreg_sys.json_number(c.invest_intensity_wan_per_mu)) END,
    CASE WHEN c.s_below_ai IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN landreg_sys.idle_reason_json(
      'BELOW_TARGET', 'BELOW_TARGET', '达产复核后年度指标未达约定',
      'annual indicators below the agreed targets after the ramp-up review', c.s_below_ai,
      ',"year":' || c.ai_year || ',"review":' || landreg_sys.json_date(c.review)
        || ',"shortfalls":[' || concat_ws(',',
        CASE WHEN landreg_sys.short_of(c.ai_tax_mu, c.tax_per_mu_wan) THEN '{"indicator":"tax_per_mu_wan","zh":"亩均税收","actual":'
          || landreg_sys.json_number(round(c.ai_tax_mu::numeric, 2)) || ',"agreed":' || landreg_sys.json_number(c.tax_per_mu_wan) || '}' END,
        CASE WHEN landreg_sys.short_of(c.ai_va_mu, c.va_per_mu_wan) THEN '{"indicator":"va_per_mu_wan","zh":"亩均增加值","actual":'
          || landreg_sys.json_number(round(c.ai_va_mu::numeric, 2)) || ',"agreed":' || landreg_sys.json_number(c.va_per_mu_wan) || '}' END,
        CASE WHEN landreg_sys.short_of(c.ai_energy_va, c.energy_va_wan_per_tce) THEN '{"indicator":"energy_va_wan_per_tce","zh":"单位能耗增加值","actual":'
          || landreg_sys.json_number(round(c.ai_energy_va::numeric, 2)) || ',"agreed":' || landreg_sys.json_number(c.energy_va_wan_per_tce) || '}' END,
        CASE WHEN landreg_sys.short_of(c.ai_emission_va, c.emission_va_wan_per_t) THEN '{"indicator":"emission_va_wan_per_t","zh":"单位排放增加值","actual":'
          || landreg_sys.json_number(round(c.ai_emission_va::numeric, 2)) || ',"agreed":' || landreg_sys.json_number(c.emission_va_wan_per_t) || '}' END,
        CASE WHEN landreg_sys.short_of(c.ai_rd, c.rd_ratio) THEN '{"indicator":"rd_ratio","zh":"研发经费占比","actual":'
          || landreg_sys.json_number(round(c.ai_rd::numeric, 4)) || ',"agreed":' || landreg_sys.json_number(c.rd_ratio) || '}' END,
        CASE WHEN landreg_sys.short_of(c.ai_invest_mu, c.invest_intensity_wan_per_mu) THEN '{"indicator":"invest_intensity_wan_per_mu","zh":"投资强度","actual":'
          || landreg_sys.json_number(round(c.ai_invest_mu::numeric, 2)) || ',"agreed":' || landreg_sys.json_number(c.invest_intensity_wan_per_mu) || '}' END
      ) || ']') END,
    CASE WHEN c.category = 'UNDER_CONSTRUCTION' OR (c.category = 'IDLE_STALLED' AND c.s_late IS NULL) THEN
      landreg_sys.idle_reason_json('UNDER_CONSTRUCTION', 'UNDER_CONSTRUCTION', '在建', 'under construction',
        c.started, ',"agreed_completion":' || landreg_sys.json_date(c.agreed_completion)) END,
    CASE WHEN c.category = 'NORMAL' AND NOT c.disposed_ok THEN CASE
      WHEN c.prod_first IS NULL THEN landreg_sys.idle_reason_json('AWAITING_PRODUCTION', 'NORMAL',
        '已竣工，投产宽限期内', 'completed, within the production grace period', c.completed,
        ',"production_due":' || landreg_sys.json_date(c.production_due))
      WHEN c.at < c.review THEN landreg_sys.idle_reason_json('RAMPUP_NOT_DUE', 'NORMAL',
        '已投产，达产复核未到期', 'producing, ramp-up review not yet due', c.prod_first,
        ',"review":' || landreg_sys.json_date(c.review))
      WHEN c.ai_year IS NULL THEN landreg_sys.idle_reason_json('NO_INDICATORS', 'NORMAL',
        '达产复核已到期，但无年度指标', 'ramp-up review due, but no annual indicators on file', c.review,
        ',"review":' || landreg_sys.json_date(c.review))
      ELSE landreg_sys.idle_reason_json('TARGETS_MET', 'NORMAL', '年度指标达到约定',
        'annual indicators meet the agreed targets', greatest(c.review, c.ai_date),
        ',"year":' || c.ai_year || ',"review":' || landreg_sys.json_date(c.review)) END END
  ) || ']')::json,
  c.deadline,
  -- Idle fee (土地闲置费) for holder-caused idleness only (§2.1).
  landreg_sys.idle_fee(c.category, c.idle_fee_share, c.price_wan),
  -- 低效企业 flag (§2.2), never on a retired parcel: the holder's verdict for its latest
  -- year on file (landreg_sys.enterprise_verdicts, one verdict per enterprise and year).
  landreg_sys.is_low_efficiency(c.retired, vd.tax_per_mu, vd.threshold),
  c.ai_year, c.ai_tax_mu, c.ai_va_mu, c.v_unused, c.registered_area_m2, c.area_m2,
  -- Every date the day is compared with above, whether or not the test applies now: a
  -- superset costs the timeline an evaluation that changes nothing, a date left out
  -- would cost it a change.
  ARRAY[c.deadline, c.deadline_1y, c.deadline_2y, landreg_sys.years_after(c.suspended, 1),
    landreg_sys.completion_due(c.agreed_completion, c.completion_grace_months), c.production_due,
    landreg_sys.months_after(c.stopped, c.stopped_months), c.review],
  c.at
FROM c
-- The category's label (a hash join of 12 rows; a lookup per parcel would cost more).
LEFT JOIN landreg_sys.idle_categories ic ON ic.code = c.category
-- The holders' verdicts; narrowed to this call's holders (of any version: a superset)
-- when it names parcels or a district, by arguments without a subquery (which would
-- keep enterprise_verdicts from being inlined). Not read from p: a second reference would make
-- p a materialized CTE and slow the whole statement down threefold. Pairs: each
-- holder's verdict periods, joined on the row's day.
LEFT JOIN (
  SELECT x.uscc, x.tax_per_mu, x.threshold, NULL::date AS from_day, NULL::date AS until_day
  FROM landreg_sys.enterprise_verdicts(NULL, at_date, known_at, NULL,
    CASE WHEN only_id IS NOT NULL THEN ARRAY[only_id] ELSE only_ids END, in_district) x
  WHERE pair_ids IS NULL
  UNION ALL
  SELECT x.uscc, x.tax_per_mu, x.threshold, x.from_day, x.until_day
  FROM landreg_sys.verdict_periods(pair_ids, true) x
  WHERE pair_ids IS NOT NULL AND few_pairs
  UNION ALL
  -- Many pairs: a function scan of its own, planned when it runs; inlined here, with
  -- the estimates of a few holders, its joins looped over thousands of them.
  SELECT x.uscc, x.tax_per_mu, x.threshold, x.from_day, x.until_day
  FROM landreg_sys.verdict_periods_many(ARRAY(SELECT DISTINCT unnest(pair_ids))) x
  WHERE pair_ids IS NOT NULL AND NOT few_pairs
) vd
  ON vd.uscc = c.holder_uscc
  AND (vd.from_day IS NULL OR (vd.from_day <= c.at AND (vd.until_day IS NULL OR c.at < vd.until_day)))
$$;
