-- Status of one parcel as of at_date, as known at known_at (NULL = now).
CREATE OR REPLACE FUNCTION landreg_sys.idle_status(parcel bigint, at_date date, known_at timestamptz DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE sql STABLE PARALLEL SAFE
SET jit = off SET datestyle = 'ISO, YMD' AS $$
  SELECT * FROM landreg_sys.idle_core(at_date, known_at, NULL, parcel)
$$;
