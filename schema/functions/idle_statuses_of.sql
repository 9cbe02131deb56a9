-- Status of the given parcels as of at_date: what a map tile or a bbox needs.
CREATE OR REPLACE FUNCTION landreg_sys.idle_statuses_of(ids bigint[], at_date date)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE plpgsql STABLE PARALLEL SAFE
SET jit = off SET plan_cache_mode = force_custom_plan SET datestyle = 'ISO, YMD' AS $$
BEGIN
  RETURN QUERY SELECT * FROM landreg_sys.idle_core(at_date, NULL, NULL, NULL, ids);
END
$$;
