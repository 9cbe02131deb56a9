-- +goose Up
-- The status timeline's indexes, chosen for what a bulk refresh costs (issue 18).
-- A GiST index on (xzqdm, during) degenerates: btree_gist's penalty for a text of a
-- few dozen distinct values cannot tell subtrees apart, so inserts cost tens of
-- microseconds a row and grew with the table (a 200,000-parcel refresh spent most of
-- its minutes there). The exclusion constraint cost another 25 µs a row for an
-- invariant only the refresh can break (nothing else writes the table; the refresh
-- checks its own cut and join, and the differential test the rest).
ALTER TABLE landreg_sys.status_timeline DROP CONSTRAINT status_timeline_one_per_day;
DROP INDEX landreg_sys.status_timeline_during;
-- A parcel's ranges in order: its status on a day, and the refresh's cut.
CREATE UNIQUE INDEX status_timeline_parcel ON landreg_sys.status_timeline (parcel_id, lower(during));
-- The whole city on a day.
CREATE INDEX status_timeline_day ON landreg_sys.status_timeline USING gist (during);
-- One district's ranges.
CREATE INDEX status_timeline_district ON landreg_sys.status_timeline (xzqdm);

-- +goose Down
DROP INDEX landreg_sys.status_timeline_district;
DROP INDEX landreg_sys.status_timeline_day;
DROP INDEX landreg_sys.status_timeline_parcel;
CREATE INDEX status_timeline_during ON landreg_sys.status_timeline USING gist (xzqdm, during);
ALTER TABLE landreg_sys.status_timeline
  ADD CONSTRAINT status_timeline_one_per_day EXCLUDE USING gist (parcel_id WITH =, during WITH &&);
