-- +goose Up
-- Parcels carry ~40 attributes; building their GeoJSON properties per row on every read
-- was 90 % of the database's work in an export (612 ms of 680 ms for 50,000 parcels).
-- The properties are now built once per version, when the version is written, by a
-- trigger (so QGIS and psql writers keep them right too), and read as stored text.
ALTER TABLE parcels ADD COLUMN props_json text;

-- History keeps the current table's columns in order (see 00001): the same column.
ALTER TABLE parcels_history ADD COLUMN props_json text;

-- Filled by the trigger parcels_30_props (schema/triggers/parcels.sql).

-- +goose Down
DROP TRIGGER IF EXISTS parcels_30_props ON parcels;
DROP FUNCTION IF EXISTS landreg_sys.parcel_props_row(), landreg_sys.parcel_props(jsonb, double precision);
ALTER TABLE parcels_history DROP COLUMN IF EXISTS props_json;
ALTER TABLE parcels DROP COLUMN IF EXISTS props_json;
