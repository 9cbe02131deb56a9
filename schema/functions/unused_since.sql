-- UNUSED_AREA: completed and the verified undeveloped area at or above the limit
-- (landreg_sys.unused_limit). It counts from the later of the verification and the
-- completion. NULL: does not hold.
CREATE OR REPLACE FUNCTION landreg_sys.unused_since(completed date, verified date,
  unused_m2 double precision, limit_m2 double precision)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN completed IS NOT NULL AND unused_m2 >= limit_m2 THEN greatest(verified, completed) END;
