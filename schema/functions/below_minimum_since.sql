-- A planning verification below a minimum (LOW_FAR, LOW_COVERAGE): completed and the
-- verified figure under what is needed. It counts from the later of the verification
-- and the completion. NULL: does not hold (or either side is missing).
CREATE OR REPLACE FUNCTION landreg_sys.below_minimum_since(completed date, verified date,
  actual double precision, minimum double precision)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN completed IS NOT NULL AND actual < minimum THEN greatest(verified, completed) END;
