-- landreg_sys.day_pairs for a few pairs: the refresh of one parcel's or a few parcels'
-- timeline, where the estimate of a thousand would make the planner scan the digest and
-- the parcels instead of probing their indexes.
CREATE OR REPLACE FUNCTION landreg_sys.few_day_pairs(ids bigint[], days date[])
RETURNS TABLE (id bigint, d date) LANGUAGE sql STABLE PARALLEL SAFE ROWS 20
SET search_path = pg_catalog, pg_temp AS $$
  SELECT * FROM unnest(ids, days)
$$;
