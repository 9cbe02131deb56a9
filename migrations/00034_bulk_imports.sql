-- +goose Up
-- Bulk imports (issue 18, item 4; docs/decisions.md "Bulk imports: one audit row per
-- statement"). A statement that inserts more than landreg_sys.audit()'s threshold of
-- parcels is audited by one row naming its actor, reason, table, operation, how many
-- rows it wrote (row_count) and which (row_ids, the ids of the parcels whose version 1
-- it wrote, as ranges: an import's ids are one run of the sequence). The versions
-- themselves, with created_by, reason and system time, are the record of the rows; the
-- readers (store.ParcelAudit) join them by row_ids and at = sys_from.
ALTER TABLE audit_log
  ADD COLUMN row_count integer,
  ADD COLUMN row_ids int8multirange,
  ADD CONSTRAINT audit_log_statement_row CHECK (
    (row_ids IS NULL) = (row_count IS NULL)
    AND (row_ids IS NULL OR (row_count > 0 AND NOT isempty(row_ids) AND row_key IS NULL AND old_row IS NULL AND new_row IS NULL)));

CREATE INDEX audit_log_row_ids ON audit_log USING gist (row_ids) WHERE row_ids IS NOT NULL;

COMMENT ON COLUMN audit_log.row_count IS '批量语句写入的行数 / rows written by an audited bulk statement (NULL: a row''s own audit row)';
COMMENT ON COLUMN audit_log.row_ids IS '批量语句写入的宗地 id / ids of the parcels a bulk statement inserted (their version 1)';

-- The references of parcels to districts and enterprises are checked once per statement
-- (landreg_sys.parcel_references and parcel_referenced, schema/): PostgreSQL 15 checks a
-- foreign key row by row, two queries per parcel of an import.
ALTER TABLE parcels DROP CONSTRAINT parcels_xzqdm_fkey, DROP CONSTRAINT parcels_holder_uscc_fkey;

-- A parcel's ellipsoidal area (area_m2) is set by its props trigger (landreg_sys.parcel_props_row),
-- which computes it anyway for the properties, instead of a generated column that
-- computed it a second time per row.
ALTER TABLE parcels ALTER COLUMN area_m2 DROP EXPRESSION;

-- +goose Down
-- area_m2 stays a plain column: PostgreSQL 15 cannot make a column generated again in
-- place, and adding it anew would move it behind props_json, out of step with
-- parcels_history (whose columns must follow parcels' in order).
ALTER TABLE parcels ADD CONSTRAINT parcels_xzqdm_fkey FOREIGN KEY (xzqdm) REFERENCES districts,
  ADD CONSTRAINT parcels_holder_uscc_fkey FOREIGN KEY (holder_uscc) REFERENCES enterprises;
ALTER TABLE audit_log DROP COLUMN row_ids, DROP COLUMN row_count;
