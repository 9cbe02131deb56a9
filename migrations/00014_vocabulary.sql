-- +goose Up
-- The vocabulary of the idle status as data (issue 12): event types and status
-- categories with their labels, and the event facts as named composite types instead of
-- numbered array slots.
--
-- Event types. `kind` is the number the generated column parcel_events.kind holds
-- (landreg_sys.event_kind, 00006, must give the same: a test holds them equal);
-- bears_on_status, adverse and reports_ratios say how the status function reads an event
-- (landreg_sys.status_kind, adverse_kind, ratio_kind repeat them, the same test holds them
-- equal); required_key is the payload key an event of the type must carry (checked by
-- parcel_event_validate, which reads it here). parcel_events.type refers to code.
CREATE TABLE landreg_sys.event_types (
  code            text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
  kind            smallint NOT NULL UNIQUE CHECK (kind > 0),
  zh              text NOT NULL CHECK (zh <> ''),
  en              text NOT NULL CHECK (en <> ''),
  -- The idle status reads events of this type (kinds 1–16).
  bears_on_status boolean NOT NULL,
  -- Undoes a disposal (盘活) when it comes after it (docs/idle.md, decision 8).
  adverse         boolean NOT NULL DEFAULT false,
  -- Reports developed_land_ratio / invested_ratio (53号令 art. 2).
  reports_ratios  boolean NOT NULL DEFAULT false,
  required_key    text,
  -- The composite type its figures are read as (parcel_events.fact), if any.
  fact_type       text,
  CHECK (bears_on_status OR NOT (adverse OR reports_ratios))
);
COMMENT ON TABLE landreg_sys.event_types IS '宗地事件类型 / parcel event types, their labels and how the idle status reads them';

INSERT INTO landreg_sys.event_types (code, kind, zh, en, bears_on_status, adverse, reports_ratios, required_key, fact_type) VALUES
  ('PROGRESS',           1, '建设进度',       'construction progress',                   true,  false, true,  NULL, 'landreg_sys.progress_fact'),
  ('SUSPENDED',          2, '中止建设',       'construction suspended',                  true,  true,  true,  NULL, 'landreg_sys.progress_fact'),
  ('IDLE_NOTICE',        3, '闲置调查通知',   'idle-land survey notice',                 true,  true,  false, NULL, NULL),
  ('IDLE_DETERMINED',    4, '闲置认定',       'determined idle',                         true,  true,  false, NULL, NULL),
  ('PRODUCTION_STOPPED', 5, '停产',           'production stopped',                      true,  true,  false, NULL, NULL),
  ('GOV_CAUSE',          6, '政府原因',       'government cause',                        true,  true,  false, 'from', 'landreg_sys.gov_cause_fact'),
  ('LAND_DELIVERED',     7, '交地',           'land delivered',                          true,  false, false, NULL, NULL),
  ('STARTED',            8, '开工',           'development started',                     true,  false, false, NULL, NULL),
  ('COMPLETED',          9, '竣工验收',       'completion accepted',                     true,  false, false, NULL, NULL),
  ('PRODUCTION_STARTED',10, '投产',           'production started',                      true,  false, false, NULL, NULL),
  ('RESUMED',           11, '恢复建设',       'construction resumed',                    true,  false, false, NULL, NULL),
  ('EXTENSION_APPROVED',12, '批准延期开工',   'start deadline extended',                 true,  false, false, 'new_start_deadline', 'landreg_sys.extension_fact'),
  ('PLANNING_VERIFIED', 13, '规划核实',       'planning verified',                       true,  false, false, NULL, 'landreg_sys.planning_fact'),
  ('ANNUAL_INDICATORS', 14, '年度亩均指标',   'annual indicators',                       true,  false, false, 'year', 'landreg_sys.annual_fact'),
  ('RECOVERY_DECIDED',  15, '收回决定',       'recovery of the land-use right decided',  true,  false, false, NULL, NULL),
  ('DISPOSED',          16, '闲置处置完毕',   'disposed of (put back to use)',           true,  false, false, NULL, NULL),
  ('CONTRACT_SIGNED',   17, '签订出让合同',   'contract signed',                         false, false, false, NULL, NULL),
  ('PERMIT_ISSUED',     18, '取得施工许可',   'construction permit issued',              false, false, false, NULL, NULL),
  ('RAMPUP_REVIEWED',   19, '达产复核',       'ramp-up reviewed',                        false, false, false, NULL, NULL),
  ('IDLE_FEE_LEVIED',   20, '征缴闲置费',     'idle-land fee levied',                    false, false, false, NULL, NULL),
  ('TRANSFERRED',       21, '转让',           'transferred to a new holder',             false, false, false, NULL, NULL);

-- Every event names a known type; the CHECK of 00001 listed them a second time.
-- parcel_event_validate refuses an unknown type first, with SQLSTATE 23514 as before.
ALTER TABLE parcel_events
  DROP CONSTRAINT parcel_events_type_check,
  ADD CONSTRAINT parcel_events_type_fkey FOREIGN KEY (type) REFERENCES landreg_sys.event_types (code);

-- Status categories (domain.md §2, §8.4). precedence: 1 = most serious; the map's legend
-- order, and the order in which a started parcel's tests decide its category
-- (landreg_sys.started_category, a test holds them equal). A retired parcel and a
-- standing disposal are decided before any test; the unstarted categories exclude
-- each other. colour: the map's fill. idle_land: statutory idle land (闲置土地, 53号令),
-- listed in the idle-land ledger.
CREATE TABLE landreg_sys.idle_categories (
  code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
  zh         text NOT NULL UNIQUE CHECK (zh <> ''),
  en         text NOT NULL CHECK (en <> ''),
  precedence smallint NOT NULL UNIQUE CHECK (precedence > 0),
  colour     text NOT NULL CHECK (colour ~ '^#[0-9a-f]{6}$'),
  idle_land  boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE landreg_sys.idle_categories IS '闲置低效状态类别 / idle-status categories, their labels, precedence and map colour';

INSERT INTO landreg_sys.idle_categories (code, zh, en, precedence, colour, idle_land) VALUES
  ('IDLE_2Y',             '闲置满两年',             'Idle two years or more',                1,  '#7a0019', true),
  ('IDLE_1Y',             '闲置满一年',             'Idle one year or more',                 2,  '#c8102e', true),
  ('IDLE_STALLED',        '闲置（中止开发满一年）', 'Idle: development suspended a year',    3,  '#e34a33', true),
  ('IDLE_GOV',            '闲置（政府原因）',       'Idle: government cause',                4,  '#f08080', true),
  ('OVERDUE_START',       '供而未用（逾期未动工）', 'Supplied, start overdue',               5,  '#e7298a', false),
  ('UNDERUSED',           '用而未尽',               'Under-used',                            6,  '#f46d0b', false),
  ('BUILT_NOT_PRODUCING', '建而未投',               'Built, not producing',                  7,  '#fdae61', false),
  ('BELOW_TARGET',        '投而未达',               'Below agreed targets',                  8,  '#f2d33b', false),
  ('UNDER_CONSTRUCTION',  '在建',                   'Under construction',                    9,  '#4a90d9', false),
  ('SUPPLIED_NOT_DUE',    '供而未用（未到开工期限）', 'Supplied, start not yet due',         10, '#9ecae1', false),
  ('NORMAL',              '正常',                   'Normal',                                11, '#2e9e4f', false),
  ('RETIRED',             '已收回或注销',           'Recovered or retired',                  12, '#4d4d4d', false);

-- Event facts by name. parcel_events.fact (00006) stays the float8 array it is stored as
-- (days since 2000-01-01, ids and figures, in an order that makes max() the latest);
-- the accessors landreg_sys.<type>_of(fact) are the only readers of its slots.
CREATE TYPE landreg_sys.extension_fact AS (day date, id bigint, new_deadline date);
-- ends: 'infinity' while the cause is ongoing. In the digest, the span of the causes
-- that count (earliest start, latest end).
CREATE TYPE landreg_sys.gov_cause_fact AS (began date, ends date);
CREATE TYPE landreg_sys.progress_fact AS (day date, id bigint, developed_ratio double precision,
  invested_ratio double precision);
CREATE TYPE landreg_sys.planning_fact AS (day date, id bigint, far double precision, coverage double precision,
  unused_area_m2 double precision);
CREATE TYPE landreg_sys.annual_fact AS (year integer, day date, id bigint, tax_wan double precision,
  va_wan double precision, energy_tce double precision, emission_t double precision, rd_wan double precision,
  revenue_wan double precision, land_mu_used double precision);

-- The digest (00009) holds dates and named facts: days become dates (width_bucket
-- searches date[] as fast as int[]), the 2-D fact arrays arrays of the types above, the
-- running end and start of government causes one array of spans. Its content is
-- converted in place (it is derived; the next event of a parcel rewrites its row).
-- +goose StatementBegin
CREATE FUNCTION pg_temp.dates(a int[]) RETURNS date[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(DATE '2000-01-01' + x ORDER BY i) FROM unnest(a) WITH ORDINALITY u(x, i)
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION pg_temp.ext(a float8[]) RETURNS landreg_sys.extension_fact[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(ROW(DATE '2000-01-01' + a[i][1]::int, a[i][2]::bigint, DATE '2000-01-01' + a[i][3]::int)::landreg_sys.extension_fact ORDER BY i)
  FROM generate_subscripts(a, 1) i
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION pg_temp.prog(a float8[]) RETURNS landreg_sys.progress_fact[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(ROW(DATE '2000-01-01' + a[i][1]::int, a[i][2]::bigint, a[i][3], a[i][4])::landreg_sys.progress_fact ORDER BY i)
  FROM generate_subscripts(a, 1) i
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION pg_temp.pv(a float8[]) RETURNS landreg_sys.planning_fact[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(ROW(DATE '2000-01-01' + a[i][1]::int, a[i][2]::bigint, a[i][3], a[i][4], a[i][5])::landreg_sys.planning_fact ORDER BY i)
  FROM generate_subscripts(a, 1) i
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION pg_temp.ai(a float8[]) RETURNS landreg_sys.annual_fact[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(ROW(a[i][1]::int, DATE '2000-01-01' + a[i][2]::int, a[i][3]::bigint, a[i][4], a[i][5], a[i][6],
    a[i][7], a[i][8], a[i][9], a[i][10])::landreg_sys.annual_fact ORDER BY i)
  FROM generate_subscripts(a, 1) i
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION pg_temp.gov(began float8[], ends float8[]) RETURNS landreg_sys.gov_cause_fact[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(ROW(DATE '2000-01-01' + b::int,
    CASE WHEN e = 'Infinity' THEN 'infinity'::date ELSE DATE '2000-01-01' + e::int END)::landreg_sys.gov_cause_fact ORDER BY i)
  FROM unnest(began, ends) WITH ORDINALITY u(b, e, i)
$$;
-- +goose StatementEnd

ALTER TABLE landreg_sys.parcel_event_digest ADD COLUMN p_gov landreg_sys.gov_cause_fact[];
UPDATE landreg_sys.parcel_event_digest SET p_gov = pg_temp.gov(p_gov_from, p_gov_to) WHERE k_gov IS NOT NULL;
ALTER TABLE landreg_sys.parcel_event_digest
  DROP COLUMN p_gov_to, DROP COLUMN p_gov_from,
  ALTER COLUMN d_recovery TYPE date[] USING pg_temp.dates(d_recovery),
  ALTER COLUMN d_disposed TYPE date[] USING pg_temp.dates(d_disposed),
  ALTER COLUMN d_adverse TYPE date[] USING pg_temp.dates(d_adverse),
  ALTER COLUMN d_delivered TYPE date[] USING pg_temp.dates(d_delivered),
  ALTER COLUMN d_started TYPE date[] USING pg_temp.dates(d_started),
  ALTER COLUMN d_completed TYPE date[] USING pg_temp.dates(d_completed),
  ALTER COLUMN d_producing TYPE date[] USING pg_temp.dates(d_producing),
  ALTER COLUMN d_stopped TYPE date[] USING pg_temp.dates(d_stopped),
  ALTER COLUMN d_resumed TYPE date[] USING pg_temp.dates(d_resumed),
  ALTER COLUMN d_susp TYPE date[] USING pg_temp.dates(d_susp),
  ALTER COLUMN k_ext TYPE date[] USING pg_temp.dates(k_ext),
  ALTER COLUMN p_ext TYPE landreg_sys.extension_fact[] USING pg_temp.ext(p_ext),
  ALTER COLUMN k_prog TYPE date[] USING pg_temp.dates(k_prog),
  ALTER COLUMN p_prog TYPE landreg_sys.progress_fact[] USING pg_temp.prog(p_prog),
  ALTER COLUMN k_pv TYPE date[] USING pg_temp.dates(k_pv),
  ALTER COLUMN p_pv TYPE landreg_sys.planning_fact[] USING pg_temp.pv(p_pv),
  ALTER COLUMN k_ai TYPE date[] USING pg_temp.dates(k_ai),
  ALTER COLUMN p_ai TYPE landreg_sys.annual_fact[] USING pg_temp.ai(p_ai),
  ALTER COLUMN k_gov TYPE date[] USING pg_temp.dates(k_gov);

DROP FUNCTION pg_temp.dates(int[]), pg_temp.ext(float8[]), pg_temp.prog(float8[]), pg_temp.pv(float8[]),
  pg_temp.ai(float8[]), pg_temp.gov(float8[], float8[]);

-- +goose Down
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00014 cannot be undone; restore from a backup / 00014 不可回退'; END $$;
-- +goose StatementEnd
