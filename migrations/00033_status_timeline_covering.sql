-- +goose Up
-- A tile or a page looks up the status of each of its parcels on one day: its nine or so
-- ranges by parcel, the one holding the day kept. With the range and the columns a tile
-- draws in the index, the lookup reads the index alone (an index-only scan), instead of
-- a heap row per range to test its days (issue 18).
CREATE UNIQUE INDEX status_timeline_parcel_covering ON landreg_sys.status_timeline (parcel_id, lower(during))
  INCLUDE (during, category, category_zh, low_efficiency);
DROP INDEX landreg_sys.status_timeline_parcel;
ALTER INDEX landreg_sys.status_timeline_parcel_covering RENAME TO status_timeline_parcel;

-- +goose Down
CREATE UNIQUE INDEX status_timeline_parcel_plain ON landreg_sys.status_timeline (parcel_id, lower(during));
DROP INDEX landreg_sys.status_timeline_parcel;
ALTER INDEX landreg_sys.status_timeline_parcel_plain RENAME TO status_timeline_parcel;
