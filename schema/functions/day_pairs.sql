-- The (parcel, day) pairs that landreg_sys.idle_core evaluates at once, as rows. Not
-- inlined (the SET clause keeps it a function scan, run once), so that the planner
-- takes the declared ROWS rather than its fixed estimate of ten for unnest(): with ten,
-- it loops over the other side of a join once per pair, which is quadratic for the
-- thousands of pairs a bulk refresh asks for. For a few pairs (one parcel's refresh),
-- landreg_sys.few_day_pairs declares 20, which keeps index probes.
CREATE OR REPLACE FUNCTION landreg_sys.day_pairs(ids bigint[], days date[])
RETURNS TABLE (id bigint, d date) LANGUAGE sql STABLE PARALLEL SAFE ROWS 1000
SET search_path = pg_catalog, pg_temp AS $$
  SELECT * FROM unnest(ids, days)
$$;
