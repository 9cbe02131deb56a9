-- 停产 (PRODUCTION_STOPPED): completed, the latest stop not followed by a later
-- PRODUCTION_STARTED (a restart on the same day does not count), for stopped_months.
-- Returns the day it first holds; NULL when it does not hold.
CREATE OR REPLACE FUNCTION landreg_sys.production_stopped_since(completed date, stopped date,
  production_last date, stopped_months integer, at_date date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN completed IS NOT NULL AND stopped IS NOT NULL
             AND (production_last IS NULL OR production_last <= stopped)
             AND at_date >= landreg_sys.months_after(stopped, stopped_months)
            THEN landreg_sys.months_after(stopped, stopped_months) END;
