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

-- Corrections name the event they replace; the status function skips replaced events,
-- and this index lets it find them without scanning every event.
CREATE INDEX parcel_events_supersedes ON parcel_events (supersedes) WHERE supersedes IS NOT NULL;

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
