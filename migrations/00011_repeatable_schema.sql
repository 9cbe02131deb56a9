-- +goose Up
-- Functions, triggers, views and grants moved to schema/ (one object per file, applied
-- after the migrations by package schema). This records which version of those files a
-- database has, and removes what the move left behind in databases migrated before it.
CREATE TABLE landreg_sys.schema_state (
  fingerprint text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE landreg_sys.schema_state IS '可重复部分的版本 / version of the functions, triggers and views (schema/) applied here';

-- Superseded by parcel_props(parcels, double precision) in 00007.
DROP FUNCTION IF EXISTS landreg_sys.parcel_props(jsonb, double precision);

-- Who wrote a row is set by its BEFORE trigger from the change context, never by the
-- writer: a default would let a client name anyone.
ALTER TABLE parcel_events ALTER COLUMN recorded_by DROP DEFAULT;
ALTER TABLE adjustments ALTER COLUMN created_by DROP DEFAULT;
ALTER TABLE direct_edit_reviews ALTER COLUMN reviewer DROP DEFAULT;

-- +goose Down
DROP TABLE IF EXISTS landreg_sys.schema_state;
