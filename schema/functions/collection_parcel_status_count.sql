-- The number of rows of collection_parcel_status(d): what a page of /collections/
-- parcel_status with no other condition reports as numberMatched. On the day the map's
-- cells hold (landreg_sys.status_cells_day, today once serve has rolled them) it is the
-- cells' sum: each cell counts the parcels whose version valid that day and whose status
-- range holding it fall in the cell, which are exactly the function's rows, and the
-- cells are kept in the same transaction as the timeline (00035): a read of the cells
-- instead of a join of every parcel with the day's ranges, which grows with the city.
-- Any other day counts the function's rows. Runs as its caller.
CREATE OR REPLACE FUNCTION collection_parcel_status_count(d date) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN d = (SELECT c.day FROM landreg_sys.status_cells_day c)
    THEN (SELECT coalesce(sum(c.n), 0)::bigint FROM landreg_sys.status_cells c)
    ELSE (SELECT count(*) FROM collection_parcel_status(d)) END
$$;
