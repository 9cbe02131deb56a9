-- +goose Up
-- Idle and inefficient land (闲置 / 低效用地): the per-district policy, validation of
-- parcel events, and the status of a parcel as of a legal date (domain.md §2, §8.4).
-- The decision logic exists once, in landreg_sys.idle_core(); the single-parcel and the
-- set-returning functions are views of it, so they cannot disagree. Decisions where
-- §8.4 leaves room are listed in docs/idle.md and agree with fixtures/gen/classify.go.

-- Thresholds per district (domain.md §8.1). A district without a row uses the
-- defaults, which landreg_sys.policy() repeats: keep both in step.
CREATE TABLE idle_policy (
  xzqdm                   text PRIMARY KEY REFERENCES districts,
  production_grace_months integer NOT NULL DEFAULT 12 CHECK (production_grace_months >= 0),
  stopped_months          integer NOT NULL DEFAULT 6 CHECK (stopped_months >= 0),
  completion_grace_months integer NOT NULL DEFAULT 6 CHECK (completion_grace_months >= 0),
  rampup_years            integer NOT NULL DEFAULT 3 CHECK (rampup_years >= 0),
  unused_share            numeric(5, 4) NOT NULL DEFAULT 0.20 CHECK (unused_share BETWEEN 0 AND 1),
  unused_min_mu           numeric(10, 2) NOT NULL DEFAULT 5 CHECK (unused_min_mu >= 0),
  low_eff_tax_per_mu_wan  numeric(10, 2) NOT NULL DEFAULT 10 CHECK (low_eff_tax_per_mu_wan >= 0),
  coverage_floor          numeric(5, 4) NOT NULL DEFAULT 0.30 CHECK (coverage_floor BETWEEN 0 AND 1),
  -- Provincial FAR floor for contracts signed on or after far_floor_from (domain.md §3,
  -- S2); earlier contracts are judged by their own far_min only (§10.9).
  far_floor               numeric(6, 2) DEFAULT 1.5 CHECK (far_floor >= 0),
  far_floor_from          date DEFAULT '2024-01-01',
  -- 53号令 art. 14: 20 % of the land price; 城市房地产管理法 says "up to" 20 % (§10.1).
  idle_fee_share          numeric(5, 4) NOT NULL DEFAULT 0.20 CHECK (idle_fee_share BETWEEN 0 AND 1),
  doc_no                  text,
  CHECK ((far_floor IS NULL) = (far_floor_from IS NULL))
);
COMMENT ON TABLE idle_policy IS '闲置/低效认定参数（按区县） / idle and low-efficiency thresholds per district';

CREATE TRIGGER idle_policy_audit_ins AFTER INSERT ON idle_policy REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER idle_policy_audit_upd AFTER UPDATE ON idle_policy REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
CREATE TRIGGER idle_policy_audit_del AFTER DELETE ON idle_policy REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

-- The policy in force for district x: its row, else the §8.1 defaults (same values as
-- the column defaults above).
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.policy(x text) RETURNS idle_policy LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT p FROM idle_policy p WHERE p.xzqdm = x),
    ROW(x, 12, 6, 6, 3, 0.20, 5, 10, 0.30, 1.5, DATE '2024-01-01', 0.20, NULL)::idle_policy)
$$;
-- +goose StatementEnd

-- Corrections name the event they replace; the status function skips replaced events,
-- and this index lets it find them without scanning every event.
CREATE INDEX parcel_events_supersedes ON parcel_events (supersedes) WHERE supersedes IS NOT NULL;

-- Event validation, in addition to the existence check of 00001 (which fires first:
-- triggers run in name order, "check" < "validate"). SQLSTATEs: LRE01 date in the
-- future, LRE02 bad value, LRE03 missing required key, LRE04 supersedes an event of
-- another parcel. Nothing is corrected silently: a bad event is refused whole.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.parcel_event_validate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- Legal dates are Asia/Shanghai civil dates; a fact cannot be recorded before it
  -- happens. Deliberately not landreg.effective_date: that setting back-dates register
  -- edits and must not open a door to future-dated facts.
  today date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
  bad record;
  req text;
  v text;
BEGIN
  IF NEW.event_date > today THEN
    RAISE EXCEPTION '事件日期 % 晚于今天 % / event_date % is after today (%, Asia/Shanghai)',
      NEW.event_date, today, NEW.event_date, today
      USING ERRCODE = 'LRE01', COLUMN = 'event_date', TABLE = 'parcel_events';
  END IF;

  -- Money and quantities: non-negative numbers; ratios: numbers in [0, 1].
  IF NEW.payload ?| ARRAY['tax_wan', 'va_wan', 'rd_wan', 'revenue_wan', 'amount_wan', 'energy_tce',
                          'emission_t', 'employees', 'land_mu_used', 'floor_area_m2', 'unused_area_m2',
                          'far', 'coverage', 'developed_land_ratio', 'invested_ratio', 'year'] THEN
    SELECT j.key, j.value, r.is_ratio INTO bad
    FROM jsonb_each(NEW.payload) j
    JOIN (VALUES ('tax_wan', false), ('va_wan', false), ('rd_wan', false), ('revenue_wan', false),
                 ('amount_wan', false), ('energy_tce', false), ('emission_t', false), ('employees', false),
                 ('land_mu_used', false), ('floor_area_m2', false), ('unused_area_m2', false), ('far', false),
                 ('coverage', true), ('developed_land_ratio', true), ('invested_ratio', true)) r(key, is_ratio)
      ON r.key = j.key
    WHERE jsonb_typeof(j.value) IS DISTINCT FROM 'number'
       OR (j.value)::numeric < 0
       OR (r.is_ratio AND (j.value)::numeric > 1)
    LIMIT 1;
    IF FOUND THEN
      IF bad.is_ratio THEN
        RAISE EXCEPTION '事件 % 的 % 必须是 0 到 1 之间的数值（实为 %） / % of a % event must be a number between 0 and 1 (got %)',
          NEW.type, bad.key, bad.value, bad.key, NEW.type, bad.value
          USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
      END IF;
      RAISE EXCEPTION '事件 % 的 % 必须是非负数值（实为 %） / % of a % event must be a non-negative number (got %)',
        NEW.type, bad.key, bad.value, bad.key, NEW.type, bad.value
        USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
    END IF;
  END IF;

  -- Keys the status function depends on.
  req := CASE NEW.type WHEN 'EXTENSION_APPROVED' THEN 'new_start_deadline'
                       WHEN 'ANNUAL_INDICATORS' THEN 'year'
                       WHEN 'GOV_CAUSE' THEN 'from' END;
  IF req IS NOT NULL AND coalesce(jsonb_typeof(NEW.payload -> req), 'null') = 'null' THEN
    RAISE EXCEPTION '事件 % 缺少必填项 % / a % event needs payload key %', NEW.type, req, NEW.type, req
      USING ERRCODE = 'LRE03', COLUMN = 'payload', TABLE = 'parcel_events';
  END IF;
  IF NEW.type = 'ANNUAL_INDICATORS' THEN
    v := NEW.payload ->> 'year';
    IF jsonb_typeof(NEW.payload -> 'year') <> 'number' OR v !~ '^[0-9]{4}$'
       OR v::int > extract(year FROM NEW.event_date) THEN
      RAISE EXCEPTION '年度指标的 year 必须是不晚于事件日期的四位年份（实为 %） / year of ANNUAL_INDICATORS must be a four-digit year not after the event date (got %)',
        NEW.payload -> 'year', NEW.payload -> 'year'
        USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
    END IF;
  ELSIF NEW.type IN ('EXTENSION_APPROVED', 'GOV_CAUSE') THEN
    -- Dates in the payload must be real dates; GOV_CAUSE.to may be null (ongoing).
    FOREACH req IN ARRAY CASE NEW.type WHEN 'GOV_CAUSE' THEN ARRAY['from', 'to'] ELSE ARRAY['new_start_deadline'] END LOOP
      CONTINUE WHEN jsonb_typeof(NEW.payload -> req) IS NULL OR jsonb_typeof(NEW.payload -> req) = 'null';
      v := NEW.payload ->> req;
      BEGIN
        IF jsonb_typeof(NEW.payload -> req) <> 'string' OR v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
          RAISE invalid_datetime_format;
        END IF;
        PERFORM v::date;
      EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
        RAISE EXCEPTION '事件 % 的 % 必须是 YYYY-MM-DD 日期（实为 %） / % of a % event must be a YYYY-MM-DD date (got %)',
          NEW.type, req, NEW.payload -> req, req, NEW.type, NEW.payload -> req
          USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
      END;
    END LOOP;
    IF (NEW.payload ->> 'to')::date < (NEW.payload ->> 'from')::date THEN
      RAISE EXCEPTION '政府原因的结束日期 % 早于开始日期 % / GOV_CAUSE to (%) is before from (%)',
        NEW.payload ->> 'to', NEW.payload ->> 'from', NEW.payload ->> 'to', NEW.payload ->> 'from'
        USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
    END IF;
  END IF;

  IF NEW.supersedes IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM parcel_events WHERE id = NEW.supersedes AND parcel_id = NEW.parcel_id) THEN
    RAISE EXCEPTION '更正事件只能替代同一宗地的事件（事件 % 不属于宗地 %） / supersedes must name an event of the same parcel (event % is not of parcel %)',
      NEW.supersedes, NEW.parcel_id, NEW.supersedes, NEW.parcel_id
      USING ERRCODE = 'LRE04', COLUMN = 'supersedes', TABLE = 'parcel_events';
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER parcel_events_validate BEFORE INSERT ON parcel_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_event_validate();

-- Chinese labels of the categories (domain.md §2.1, §2.2).
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.idle_category_zh(c text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE c
    WHEN 'SUPPLIED_NOT_DUE' THEN '供而未用（未到开工期限）'
    WHEN 'OVERDUE_START' THEN '供而未用（逾期未动工）'
    WHEN 'IDLE_1Y' THEN '闲置满一年'
    WHEN 'IDLE_2Y' THEN '闲置满两年'
    WHEN 'IDLE_GOV' THEN '闲置（政府原因）'
    WHEN 'IDLE_STALLED' THEN '闲置（中止开发满一年）'
    WHEN 'UNDER_CONSTRUCTION' THEN '在建'
    WHEN 'UNDERUSED' THEN '用而未尽'
    WHEN 'BUILT_NOT_PRODUCING' THEN '建而未投'
    WHEN 'BELOW_TARGET' THEN '投而未达'
    WHEN 'NORMAL' THEN '正常'
    WHEN 'RETIRED' THEN '已收回或注销'
  END
$$;
-- +goose StatementEnd

-- One reason of a status: what matched, in both languages, since when, with its figures.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.idle_reason(code text, category text, zh text, en text, since date, detail jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('code', code, 'category', category, 'zh', zh, 'en', en, 'since', since)
         || coalesce(detail, '{}'::jsonb)
$$;
-- +goose StatementEnd

-- One parcel's idle status (see docs/idle.md for how to read it).
CREATE TYPE landreg_sys.parcel_status AS (
  parcel_id          bigint,
  zddm               text,
  xzqdm              text,
  category           text,
  category_zh        text,
  since              date,
  reasons            json,
  deadline           date,
  idle_fee_wan       numeric,
  low_efficiency     boolean,
  indicator_year     integer,
  tax_per_mu_wan     double precision,
  va_per_mu_wan      double precision,
  unused_area_m2     double precision,
  registered_area_m2 numeric,
  area_m2            double precision
);

-- The status of parcels as of legal date at_date (domain.md §8.4), as known at system
-- time known_at (NULL = now): only events recorded by then count, minus those replaced
-- by a correction recorded by then, and the parcel record is the version known then.
-- in_district / only_id narrow the parcels. Rows: parcels with a version valid at
-- at_date; with only_id, also a parcel retired (deleted) on or before at_date.
--
-- Written set-based for whole-city reports: every parcel's events are aggregated in one
-- pass (FILTERed aggregates, no per-parcel loop or subquery), then CASE expressions
-- decide. "The last event of a type" is max() over an array [date, id, values…]:
-- arrays compare element by element, so the maximum is the latest event in legal order
-- (event_date, then recording order) and carries that event's values, without a sort.
-- Payload numbers are compared as float8, as the fixture generator does.
-- LANGUAGE sql, STABLE, no SET clause: PostgreSQL inlines it into the caller's query,
-- so constant arguments (NULL district, one id) simplify the plan.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.idle_core(at_date date, known_at timestamptz, in_district text, only_id bigint,
  only_ids bigint[] DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status
LANGUAGE sql STABLE AS $$
WITH p AS (
  -- The parcel version valid at at_date as known at known_at: a version closed after
  -- known_at was still the open (current) version then, so its valid_to is ignored.
  SELECT v.id, v.zddm, v.xzqdm, v.registered_area_m2, v.area_m2, v.price_wan, v.contract_date,
         v.valid_from, v.agreed_start, v.agreed_completion, v.agreed_rampup_review, v.far_min,
         v.coverage_min, v.tax_per_mu_wan, v.va_per_mu_wan, v.energy_va_wan_per_tce,
         v.emission_va_wan_per_t, v.rd_ratio,
         -- Retired by DELETE on or before at_date (and known to be by known_at).
         (v.retired AND v.valid_to <= at_date AND (known_at IS NULL OR v.sys_to <= known_at)) AS deleted,
         v.valid_to AS retired_on
  FROM parcels_all v
  WHERE (only_id IS NULL OR v.id = only_id)
    AND (only_ids IS NULL OR v.id = ANY (only_ids))
    AND (in_district IS NULL OR v.xzqdm = in_district)
    AND v.valid_from <= at_date
    AND (known_at IS NULL OR v.sys_from <= known_at)
    AND (v.valid_to IS NULL OR v.valid_to > at_date
         OR (known_at IS NOT NULL AND v.sys_to > known_at)
         OR (only_id IS NOT NULL AND v.retired))
),
void AS MATERIALIZED (
  -- Events replaced by a correction recorded by known_at.
  SELECT s.supersedes AS id FROM parcel_events s
  WHERE s.supersedes IS NOT NULL AND (known_at IS NULL OR s.recorded_at <= known_at)
),
ev AS (
  SELECT e.parcel_id,
    min(e.event_date) FILTER (WHERE e.type = 'RECOVERY_DECIDED') AS recovered,
    max(e.event_date) FILTER (WHERE e.type = 'DISPOSED') AS disposed,
    -- Facts that undo a disposal (盘活) when they come after it.
    max(e.event_date) FILTER (WHERE e.type IN ('IDLE_NOTICE', 'IDLE_DETERMINED', 'SUSPENDED',
                                               'PRODUCTION_STOPPED', 'GOV_CAUSE')) AS adverse,
    min(e.event_date) FILTER (WHERE e.type = 'LAND_DELIVERED') AS delivered,
    min(e.event_date) FILTER (WHERE e.type = 'STARTED') AS started,
    min(e.event_date) FILTER (WHERE e.type = 'COMPLETED') AS completed,
    min(e.event_date) FILTER (WHERE e.type = 'PRODUCTION_STARTED') AS prod_first,
    max(e.event_date) FILTER (WHERE e.type = 'PRODUCTION_STARTED') AS prod_last,
    max(e.event_date) FILTER (WHERE e.type = 'PRODUCTION_STOPPED') AS stopped,
    max(e.event_date) FILTER (WHERE e.type = 'RESUMED') AS resumed,
    -- [day, id, new deadline day] of the latest extension (days since 2000-01-01).
    max(ARRAY[e.event_date - DATE '2000-01-01', e.id,
              (e.payload ->> 'new_start_deadline')::date - DATE '2000-01-01'])
      FILTER (WHERE e.type = 'EXTENSION_APPROVED') AS ext,
    -- Government causes that began by at_date: the latest end (open end = ongoing).
    max(coalesce((e.payload ->> 'to')::date, 'infinity'::date))
      FILTER (WHERE e.type = 'GOV_CAUSE' AND (e.payload ->> 'from')::date <= at_date) AS gov_until,
    min((e.payload ->> 'from')::date)
      FILTER (WHERE e.type = 'GOV_CAUSE' AND (e.payload ->> 'from')::date <= at_date) AS gov_from,
    max(ARRAY[e.event_date - DATE '2000-01-01', e.id,
              (e.payload ->> 'developed_land_ratio')::float8, (e.payload ->> 'invested_ratio')::float8])
      FILTER (WHERE e.type IN ('SUSPENDED', 'PROGRESS')
                AND e.payload ?| ARRAY['developed_land_ratio', 'invested_ratio']) AS prog,
    max(ARRAY[e.event_date - DATE '2000-01-01', e.id])
      FILTER (WHERE e.type = 'SUSPENDED') AS susp,
    max(ARRAY[e.event_date - DATE '2000-01-01', e.id, (e.payload ->> 'far')::float8,
              (e.payload ->> 'coverage')::float8, (e.payload ->> 'unused_area_m2')::float8])
      FILTER (WHERE e.type = 'PLANNING_VERIFIED') AS pv,
    -- The latest year that ended before at_date (year-end < at_date ⇔ year < year of
    -- at_date); of two reports for one year, the later in legal order. Compared as
    -- jsonb [year, day, id, payload] so the winner's payload rides along unparsed: its
    -- numbers are read once per parcel, not once per report.
    max(ARRAY[e.payload -> 'year', to_jsonb(e.event_date - DATE '2000-01-01'), to_jsonb(e.id), e.payload])
      FILTER (WHERE e.type = 'ANNUAL_INDICATORS'
                AND (e.payload ->> 'year')::int < extract(year FROM at_date)) AS ai
  FROM (
    -- Every event, or (one district) the events of its parcels through the parcel_id
    -- index. Two branches rather than an OR, so that the planner can turn the IN into a
    -- semi-join; the branch whose condition is false is removed at planning.
    SELECT * FROM parcel_events WHERE in_district IS NULL
    UNION ALL
    SELECT * FROM parcel_events
    WHERE in_district IS NOT NULL AND parcel_id IN (SELECT v.id FROM parcels_all v WHERE v.xzqdm = in_district)
  ) e
  WHERE e.event_date <= at_date
    AND (known_at IS NULL OR e.recorded_at <= known_at)
    AND (only_id IS NULL OR e.parcel_id = only_id)
    AND (only_ids IS NULL OR e.parcel_id = ANY (only_ids))
    AND e.type IN ('RECOVERY_DECIDED', 'DISPOSED', 'IDLE_NOTICE', 'IDLE_DETERMINED', 'SUSPENDED',
                   'RESUMED', 'PRODUCTION_STOPPED', 'GOV_CAUSE', 'LAND_DELIVERED', 'STARTED',
                   'COMPLETED', 'PRODUCTION_STARTED', 'EXTENSION_APPROVED', 'PROGRESS',
                   'PLANNING_VERIFIED', 'ANNUAL_INDICATORS')
    -- NOT IN over a small set: a hashed subplan, probed once per event.
    AND e.id NOT IN (SELECT void.id FROM void)
  GROUP BY e.parcel_id
),
pol AS (
  -- Policy per district, looked up once per district rather than once per parcel.
  SELECT pl.* FROM districts dd CROSS JOIN LATERAL landreg_sys.policy(dd.xzqdm) pl
),
b AS (
  -- Facts per parcel, unpacked from the aggregates.
  SELECT p.*, ev.recovered, ev.disposed, ev.adverse, ev.delivered, ev.started, ev.completed,
    ev.prod_first, ev.prod_last, ev.stopped, ev.gov_from, ev.gov_until,
    pol.production_grace_months, pol.stopped_months, pol.completion_grace_months,
    pol.low_eff_tax_per_mu_wan, pol.idle_fee_share,
    -- Start deadline: the latest approved extension, else the agreed start, else one
    -- year after actual delivery when the contract names no start date (§2.1).
    coalesce(DATE '2000-01-01' + ev.ext[3]::int, p.agreed_start,
             (ev.delivered + interval '1 year')::date) AS deadline,
    -- Ramp-up review (达产复核): agreed date, else production start + rampup_years.
    coalesce(p.agreed_rampup_review, (ev.prod_first + pol.rampup_years * interval '1 year')::date) AS review,
    -- Open suspension: the latest SUSPENDED with no RESUMED after it. The ratios are the
    -- latest reported by at_date, on the SUSPENDED itself or on a PROGRESS report.
    CASE WHEN ev.susp IS NOT NULL AND (ev.resumed IS NULL OR ev.resumed <= DATE '2000-01-01' + ev.susp[1]::int)
         THEN DATE '2000-01-01' + ev.susp[1]::int END AS suspended,
    ev.prog[3] AS developed_ratio, ev.prog[4] AS invested_ratio,
    DATE '2000-01-01' + ev.pv[1]::int AS verified, ev.pv[3] AS v_far, ev.pv[4] AS v_coverage, ev.pv[5] AS v_unused,
    -- FAR minimum: the contract's own, else the provincial floor when the contract was
    -- signed after it took effect (§10.9).
    coalesce(p.far_min, CASE WHEN p.contract_date >= pol.far_floor_from THEN pol.far_floor END)::float8 AS far_needed,
    coalesce(p.coverage_min, pol.coverage_floor)::float8 AS coverage_needed,
    greatest(pol.unused_share::float8 * coalesce(p.registered_area_m2::float8, p.area_m2),
             pol.unused_min_mu::float8 * 10000 / 15) AS unused_limit,
    (ev.ai[1])::int AS ai_year, DATE '2000-01-01' + (ev.ai[2])::int AS ai_date, ev.ai[4] AS ai,
    -- 亩均 per §8.5: the year's land_mu_used, else this parcel's registered area in 亩.
    nullif(coalesce((ev.ai[4] ->> 'land_mu_used')::float8, p.registered_area_m2::float8 * 3 / 2000), 0) AS ai_mu
  FROM p
  JOIN pol ON pol.xzqdm = p.xzqdm
  LEFT JOIN ev ON ev.parcel_id = p.id
),
-- The tests, each as the date it first holds (NULL: it does not hold). MATERIALIZED so
-- each is computed once per parcel: inlined, every later reference would repeat it.
f AS MATERIALIZED (
  SELECT b.id, b.zddm, b.xzqdm, b.registered_area_m2, b.area_m2, b.price_wan, b.idle_fee_share,
    b.contract_date, b.valid_from, b.agreed_completion, b.deleted, b.retired_on, b.recovered,
    b.disposed, b.delivered, b.started, b.completed, b.prod_first, b.prod_last, b.stopped,
    b.gov_from, b.gov_until, b.deadline, b.review, b.suspended, b.developed_ratio, b.invested_ratio,
    b.v_far, b.v_coverage, b.v_unused, b.far_needed, b.coverage_needed, b.unused_limit,
    b.production_grace_months, b.ai_year, b.ai_date, b.low_eff_tax_per_mu_wan,
    b.tax_per_mu_wan, b.va_per_mu_wan, b.energy_va_wan_per_tce, b.emission_va_wan_per_t, b.rd_ratio,
    b.deleted OR b.recovered IS NOT NULL AS retired,
    -- A disposal (盘活) stands unless an adverse fact follows it.
    b.disposed IS NOT NULL AND (b.adverse IS NULL OR b.adverse <= b.disposed) AS disposed_ok,
    b.gov_until >= b.deadline AS gov,
    -- Started, not completed: suspended a year with < 1/3 developed or < 25 % invested
    -- (53号令 art. 2), or past the agreed completion plus grace (在建逾期).
    CASE WHEN b.started IS NOT NULL AND b.completed IS NULL AND b.suspended IS NOT NULL
          AND at_date >= b.suspended + interval '1 year'
          AND (b.developed_ratio < 1::float8 / 3 OR b.invested_ratio < 0.25)
         THEN (b.suspended + interval '1 year')::date END AS s_stalled,
    CASE WHEN b.started IS NOT NULL AND b.completed IS NULL AND b.agreed_completion IS NOT NULL
          AND at_date >= b.agreed_completion + b.completion_grace_months * interval '1 month'
         THEN (b.agreed_completion + b.completion_grace_months * interval '1 month')::date END AS s_late,
    -- Completed: the latest planning verification below the agreed figures; it counts
    -- from completion when it was made before.
    CASE WHEN b.completed IS NOT NULL AND b.v_far < b.far_needed
         THEN greatest(b.verified, b.completed) END AS s_far,
    CASE WHEN b.completed IS NOT NULL AND b.v_coverage < b.coverage_needed
         THEN greatest(b.verified, b.completed) END AS s_coverage,
    CASE WHEN b.completed IS NOT NULL AND b.v_unused >= b.unused_limit
         THEN greatest(b.verified, b.completed) END AS s_unused,
    -- Completed but not producing after the grace period, or stopped with no restart.
    CASE WHEN b.completed IS NOT NULL AND b.prod_first IS NULL
          AND at_date >= b.completed + b.production_grace_months * interval '1 month'
         THEN (b.completed + b.production_grace_months * interval '1 month')::date END AS s_idle_built,
    CASE WHEN b.completed IS NOT NULL AND b.stopped IS NOT NULL
          AND (b.prod_last IS NULL OR b.prod_last <= b.stopped)
          AND at_date >= b.stopped + b.stopped_months * interval '1 month'
         THEN (b.stopped + b.stopped_months * interval '1 month')::date END AS s_stopped,
    -- Producing and the ramp-up review is due: the latest year is judged.
    b.completed IS NOT NULL AND b.prod_first IS NOT NULL AND at_date >= b.review AND b.ai_year IS NOT NULL AS judged,
    (b.ai ->> 'tax_wan')::float8 / b.ai_mu AS ai_tax_mu,
    (b.ai ->> 'va_wan')::float8 / b.ai_mu AS ai_va_mu,
    (b.ai ->> 'va_wan')::float8 / nullif((b.ai ->> 'energy_tce')::float8, 0) AS ai_energy_va,
    (b.ai ->> 'va_wan')::float8 / nullif((b.ai ->> 'emission_t')::float8, 0) AS ai_emission_va,
    (b.ai ->> 'rd_wan')::float8 / nullif((b.ai ->> 'revenue_wan')::float8, 0) AS ai_rd
  FROM b
),
g AS (
  SELECT f.*,
    -- Shortfalls against the agreed indicators, where both sides exist. Investment
    -- intensity has no annual actual in ANNUAL_INDICATORS and is not judged.
    CASE WHEN f.judged AND (f.ai_tax_mu < f.tax_per_mu_wan::float8 OR f.ai_va_mu < f.va_per_mu_wan::float8
                            OR f.ai_energy_va < f.energy_va_wan_per_tce::float8
                            OR f.ai_emission_va < f.emission_va_wan_per_t::float8 OR f.ai_rd < f.rd_ratio::float8)
         THEN greatest(f.review, f.ai_date, make_date(f.ai_year + 1, 1, 1)) END AS s_below
  FROM f
),
c AS (
  SELECT g.*,
    CASE
      WHEN g.retired THEN 'RETIRED'
      WHEN g.disposed_ok THEN 'NORMAL'
      -- Not started: the branches are exclusive (§8.4). "满一年" is the anniversary in
      -- PostgreSQL date arithmetic (2020-02-29 + 1 year = 2021-02-28, §5.1).
      WHEN g.started IS NULL THEN CASE
        WHEN g.deadline IS NULL OR at_date < g.deadline THEN 'SUPPLIED_NOT_DUE'
        WHEN at_date < g.deadline + interval '1 year' THEN 'OVERDUE_START'
        WHEN g.gov THEN 'IDLE_GOV'
        WHEN at_date < g.deadline + interval '2 years' THEN 'IDLE_1Y'
        ELSE 'IDLE_2Y' END
      -- Started or completed: precedence IDLE_STALLED > UNDERUSED > BUILT_NOT_PRODUCING
      -- > BELOW_TARGET > UNDER_CONSTRUCTION > NORMAL.
      WHEN g.s_stalled IS NOT NULL THEN 'IDLE_STALLED'
      WHEN coalesce(g.s_late, g.s_far, g.s_coverage, g.s_unused) IS NOT NULL THEN 'UNDERUSED'
      WHEN coalesce(g.s_idle_built, g.s_stopped) IS NOT NULL THEN 'BUILT_NOT_PRODUCING'
      WHEN g.s_below IS NOT NULL THEN 'BELOW_TARGET'
      WHEN g.completed IS NULL THEN 'UNDER_CONSTRUCTION'
      ELSE 'NORMAL'
    END AS category
  FROM g
)
SELECT c.id, c.zddm, c.xzqdm, c.category, landreg_sys.idle_category_zh(c.category),
  CASE c.category
    WHEN 'RETIRED' THEN CASE WHEN c.deleted THEN c.retired_on ELSE c.recovered END
    WHEN 'SUPPLIED_NOT_DUE' THEN coalesce(c.delivered, c.contract_date, c.valid_from)
    WHEN 'OVERDUE_START' THEN c.deadline
    WHEN 'IDLE_GOV' THEN (c.deadline + interval '1 year')::date
    WHEN 'IDLE_1Y' THEN (c.deadline + interval '1 year')::date
    WHEN 'IDLE_2Y' THEN (c.deadline + interval '2 years')::date
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
  -- Reasons, most serious first. Built as json text (cheap) and cast once.
  ('[' || concat_ws(',',
    CASE WHEN c.category = 'RETIRED' THEN CASE
      WHEN c.deleted THEN json_build_object('code', 'PARCEL_RETIRED', 'category', 'RETIRED',
        'zh', '宗地已注销', 'en', 'parcel retired from the register', 'since', c.retired_on)
      ELSE json_build_object('code', 'RECOVERY_DECIDED', 'category', 'RETIRED',
        'zh', '已决定收回土地使用权', 'en', 'recovery of the land-use right decided', 'since', c.recovered) END::text END,
    CASE WHEN c.category <> 'RETIRED' AND c.disposed_ok THEN json_build_object('code', 'DISPOSED', 'category', 'NORMAL',
      'zh', '已处置', 'en', 'disposed of (put back to use)', 'since', c.disposed)::text END,
    CASE WHEN c.started IS NULL AND NOT c.retired AND NOT c.disposed_ok THEN CASE c.category
      WHEN 'SUPPLIED_NOT_DUE' THEN CASE WHEN c.deadline IS NULL
        THEN json_build_object('code', 'NO_DEADLINE', 'category', c.category, 'zh', '未交地，开工期限未定',
          'en', 'land not delivered: no start deadline yet', 'since', coalesce(c.contract_date, c.valid_from))
        ELSE json_build_object('code', 'START_NOT_DUE', 'category', c.category, 'zh', '未到开工期限',
          'en', 'start deadline not reached', 'since', coalesce(c.delivered, c.contract_date, c.valid_from),
          'deadline', c.deadline) END
      WHEN 'OVERDUE_START' THEN json_build_object('code', 'START_OVERDUE', 'category', c.category,
        'zh', '超过开工期限未动工', 'en', 'not started by the start deadline', 'since', c.deadline, 'deadline', c.deadline)
      WHEN 'IDLE_GOV' THEN json_build_object('code', 'IDLE_GOV', 'category', c.category,
        'zh', '未动工满一年，因政府原因（不征收闲置费）',
        'en', 'not started one year after the deadline, for a government cause (no idle fee)',
        'since', (c.deadline + interval '1 year')::date, 'deadline', c.deadline, 'gov_cause_from', c.gov_from,
        'gov_cause_to', CASE WHEN c.gov_until < 'infinity' THEN c.gov_until END)
      WHEN 'IDLE_1Y' THEN json_build_object('code', 'IDLE_1Y', 'category', c.category,
        'zh', '未动工满一年，征缴土地闲置费', 'en', 'not started one year after the deadline: idle fee due',
        'since', (c.deadline + interval '1 year')::date, 'deadline', c.deadline)
      ELSE json_build_object('code', 'IDLE_2Y', 'category', c.category,
        'zh', '未动工满两年，可无偿收回', 'en', 'not started two years after the deadline: recovery without compensation possible',
        'since', (c.deadline + interval '2 years')::date, 'deadline', c.deadline) END::text END,
    -- Started or completed: every test that holds.
    CASE WHEN c.s_stalled IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'IDLE_STALLED', 'category', 'IDLE_STALLED',
      'zh', '已动工但开发面积不足三分之一或投资不足25%，中止开发满一年',
      'en', 'development suspended for one year with under 1/3 of the land developed or under 25 % invested',
      'since', c.s_stalled, 'suspended', c.suspended, 'developed_land_ratio', c.developed_ratio,
      'invested_ratio', c.invested_ratio)::text END,
    CASE WHEN c.s_late IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'CONSTRUCTION_OVERDUE', 'category', 'UNDERUSED', 'zh', '超过约定竣工期限未竣工（在建逾期）',
      'en', 'not completed by the agreed completion date plus grace', 'since', c.s_late,
      'agreed_completion', c.agreed_completion)::text END,
    CASE WHEN c.s_far IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'LOW_FAR', 'category', 'UNDERUSED', 'zh', '容积率低于约定下限',
      'en', 'floor-area ratio below the agreed minimum', 'since', c.s_far, 'far', c.v_far, 'far_min', c.far_needed)::text END,
    CASE WHEN c.s_coverage IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'LOW_COVERAGE', 'category', 'UNDERUSED', 'zh', '建筑系数低于下限',
      'en', 'building coverage below the minimum', 'since', c.s_coverage, 'coverage', c.v_coverage,
      'coverage_min', c.coverage_needed)::text END,
    CASE WHEN c.s_unused IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'UNUSED_AREA', 'category', 'UNDERUSED', 'zh', '未利用土地面积过大',
      'en', 'undeveloped part too large', 'since', c.s_unused, 'unused_area_m2', c.v_unused,
      'limit_m2', round(c.unused_limit::numeric, 2))::text END,
    CASE WHEN c.s_idle_built IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'NOT_PRODUCING', 'category', 'BUILT_NOT_PRODUCING', 'zh', '竣工后超过宽限期未投产',
      'en', 'not producing after the grace period since completion', 'since', c.s_idle_built,
      'completed', c.completed)::text END,
    CASE WHEN c.s_stopped IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'PRODUCTION_STOPPED', 'category', 'BUILT_NOT_PRODUCING', 'zh', '停产超过规定期限',
      'en', 'production stopped beyond the allowed period', 'since', c.s_stopped, 'stopped', c.stopped)::text END,
    CASE WHEN c.s_below IS NOT NULL AND NOT c.retired AND NOT c.disposed_ok THEN json_build_object(
      'code', 'BELOW_TARGET', 'category', 'BELOW_TARGET', 'zh', '达产复核后年度指标未达约定',
      'en', 'annual indicators below the agreed targets after the ramp-up review', 'since', c.s_below,
      'year', c.ai_year, 'review', c.review,
      'shortfalls', ('[' || concat_ws(',',
        CASE WHEN c.ai_tax_mu < c.tax_per_mu_wan::float8 THEN json_build_object('indicator', 'tax_per_mu_wan',
          'zh', '亩均税收', 'actual', round(c.ai_tax_mu::numeric, 2), 'agreed', c.tax_per_mu_wan)::text END,
        CASE WHEN c.ai_va_mu < c.va_per_mu_wan::float8 THEN json_build_object('indicator', 'va_per_mu_wan',
          'zh', '亩均增加值', 'actual', round(c.ai_va_mu::numeric, 2), 'agreed', c.va_per_mu_wan)::text END,
        CASE WHEN c.ai_energy_va < c.energy_va_wan_per_tce::float8 THEN json_build_object('indicator', 'energy_va_wan_per_tce',
          'zh', '单位能耗增加值', 'actual', round(c.ai_energy_va::numeric, 2), 'agreed', c.energy_va_wan_per_tce)::text END,
        CASE WHEN c.ai_emission_va < c.emission_va_wan_per_t::float8 THEN json_build_object('indicator', 'emission_va_wan_per_t',
          'zh', '单位排放增加值', 'actual', round(c.ai_emission_va::numeric, 2), 'agreed', c.emission_va_wan_per_t)::text END,
        CASE WHEN c.ai_rd < c.rd_ratio::float8 THEN json_build_object('indicator', 'rd_ratio',
          'zh', '研发经费占比', 'actual', round(c.ai_rd::numeric, 4), 'agreed', c.rd_ratio)::text END
      ) || ']')::json)::text END,
    CASE WHEN c.category = 'UNDER_CONSTRUCTION' OR (c.category = 'IDLE_STALLED' AND c.s_late IS NULL) THEN json_build_object(
      'code', 'UNDER_CONSTRUCTION', 'category', 'UNDER_CONSTRUCTION', 'zh', '在建', 'en', 'under construction',
      'since', c.started, 'agreed_completion', c.agreed_completion)::text END,
    CASE WHEN c.category = 'NORMAL' AND NOT c.disposed_ok THEN CASE
      WHEN c.prod_first IS NULL THEN json_build_object('code', 'AWAITING_PRODUCTION', 'category', 'NORMAL',
        'zh', '已竣工，投产宽限期内', 'en', 'completed, within the production grace period', 'since', c.completed,
        'production_due', (c.completed + c.production_grace_months * interval '1 month')::date)
      WHEN at_date < c.review THEN json_build_object('code', 'RAMPUP_NOT_DUE', 'category', 'NORMAL',
        'zh', '已投产，达产复核未到期', 'en', 'producing, ramp-up review not yet due', 'since', c.prod_first,
        'review', c.review)
      WHEN c.ai_year IS NULL THEN json_build_object('code', 'NO_INDICATORS', 'category', 'NORMAL',
        'zh', '达产复核已到期，但无年度指标', 'en', 'ramp-up review due, but no annual indicators on file',
        'since', c.review, 'review', c.review)
      ELSE json_build_object('code', 'TARGETS_MET', 'category', 'NORMAL', 'zh', '年度指标达到约定',
        'en', 'annual indicators meet the agreed targets', 'since', greatest(c.review, c.ai_date),
        'year', c.ai_year, 'review', c.review) END::text END
  ) || ']')::json,
  c.deadline,
  -- Idle fee (土地闲置费) for holder-caused idleness only (§2.1).
  CASE WHEN c.category IN ('IDLE_1Y', 'IDLE_2Y') THEN round(c.idle_fee_share * c.price_wan, 2) ELSE 0 END,
  -- 低效企业 flag (§2.2), never on a retired parcel.
  NOT c.retired AND coalesce(c.ai_tax_mu < c.low_eff_tax_per_mu_wan::float8, false),
  c.ai_year, c.ai_tax_mu, c.ai_va_mu, c.v_unused, c.registered_area_m2, c.area_m2
FROM c
$$;
-- +goose StatementEnd

-- Status of every parcel valid at at_date (optionally of one district), as known at
-- known_at (NULL = now). A PL/pgSQL wrapper only to carry settings for this one big
-- query: JIT off (compiling its expressions costs ~17 s for 200,000 parcels and saves
-- nothing), custom plans (so a NULL district folds away), and room to aggregate every
-- parcel's events in memory.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.idle_statuses(at_date date, known_at timestamptz DEFAULT NULL, in_district text DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE plpgsql STABLE
SET jit = off SET plan_cache_mode = force_custom_plan SET work_mem = '128MB' AS $$
BEGIN
  RETURN QUERY SELECT * FROM landreg_sys.idle_core(at_date, known_at, in_district, NULL);
END
$$;
-- +goose StatementEnd

-- Status of the given parcels as of at_date: what a map tile or a bbox needs, without
-- classifying the whole city.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.idle_statuses_of(ids bigint[], at_date date)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE plpgsql STABLE
SET jit = off SET plan_cache_mode = force_custom_plan AS $$
BEGIN
  RETURN QUERY SELECT * FROM landreg_sys.idle_core(at_date, NULL, NULL, NULL, ids);
END
$$;
-- +goose StatementEnd

-- Status of one parcel as of at_date, as known at known_at (NULL = now). No row when
-- the parcel has no version on or before at_date; RETIRED when it was retired (deleted
-- from the register) on or before at_date.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.idle_status(parcel bigint, at_date date, known_at timestamptz DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE sql STABLE AS $$
  SELECT * FROM landreg_sys.idle_core(at_date, known_at, NULL, parcel)
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION IF EXISTS landreg_sys.idle_status(bigint, date, timestamptz);
DROP FUNCTION IF EXISTS landreg_sys.idle_statuses(date, timestamptz, text);
DROP FUNCTION IF EXISTS landreg_sys.idle_core(date, timestamptz, text, bigint, bigint[]);
DROP TYPE IF EXISTS landreg_sys.parcel_status;
DROP FUNCTION IF EXISTS landreg_sys.idle_statuses_of(bigint[], date);
DROP FUNCTION IF EXISTS landreg_sys.idle_reason(text, text, text, text, date, jsonb);
DROP FUNCTION IF EXISTS landreg_sys.idle_category_zh(text);
DROP TRIGGER IF EXISTS parcel_events_validate ON parcel_events;
DROP FUNCTION IF EXISTS landreg_sys.parcel_event_validate();
DROP INDEX IF EXISTS parcel_events_supersedes;
DROP FUNCTION IF EXISTS landreg_sys.policy(text);
DROP TABLE IF EXISTS idle_policy;
