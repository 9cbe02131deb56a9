-- +goose Up
-- The status timeline (状态时间线, issue 18): per parcel, the idle status that
-- landreg_sys.idle_core gives for every legal date as known now, as a sequence of
-- date ranges over which it does not change. The status as of any date is then an
-- index lookup instead of classifying every parcel's events again. Derived data: the
-- triggers of parcels, parcel_events, idle_policy, enterprise_indicators and districts
-- refresh the parcels a change touches in the same transaction
-- (landreg_sys.refresh_status_timeline), and schema.Apply rebuilds it whenever the
-- rules change. "As known on" an earlier day keeps using the function.
-- btree_gist is a trusted extension: the owner role creates it without superuser rights.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE landreg_sys.status_timeline (
  parcel_id          bigint NOT NULL,
  during             daterange NOT NULL CHECK (NOT isempty(during) AND NOT lower_inf(during)),
  zddm               text,
  xzqdm              text NOT NULL,
  category           text NOT NULL,
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
  area_m2            double precision,
  -- One status per parcel and day.
  CONSTRAINT status_timeline_one_per_day EXCLUDE USING gist (parcel_id WITH =, during WITH &&)
);
COMMENT ON TABLE landreg_sys.status_timeline IS '宗地状态时间线（派生） / per-parcel idle status by legal date range, as known now (derived, kept by trigger)';

-- The whole city (or one district) as of a date: every range that holds the day.
CREATE INDEX status_timeline_during ON landreg_sys.status_timeline USING gist (xzqdm, during);

-- The holders' other parcels (status_scope, enterprise_verdicts narrowed) in history too.
CREATE INDEX parcels_history_holder ON parcels_history (holder_uscc);

-- +goose Down
DROP INDEX parcels_history_holder;
DROP TABLE landreg_sys.status_timeline;
