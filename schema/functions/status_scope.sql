-- The parcels whose status a change to the parcels ids can alter: these, and every
-- parcel that shares a holder with one of them (in any version), since the 低效 flag is
-- the holder's verdict over all its land and reports.
CREATE OR REPLACE FUNCTION landreg_sys.status_scope(ids bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT array_agg(DISTINCT x.id) FROM (
    SELECT unnest(ids) AS id
    UNION ALL
    SELECT m.id FROM parcels_all m
    WHERE m.holder_uscc IN (SELECT v.holder_uscc FROM parcels_all v WHERE v.id = ANY (ids) AND v.holder_uscc IS NOT NULL)
  ) x
$$;
