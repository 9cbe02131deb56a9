-- +goose Up
-- 00007 rewrote the audit and parcel-properties functions for bulk writes; functions now
-- live in schema/functions (audit.sql, parcel_props.sql), so nothing is left here.
SELECT 1;

-- +goose Down
SELECT 1;
