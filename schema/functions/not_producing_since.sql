-- 建而未投 (NOT_PRODUCING): completed, never started production, and at_date on or
-- after the production due date. Returns that day; NULL when it does not hold.
CREATE OR REPLACE FUNCTION landreg_sys.not_producing_since(completed date, production_started date,
  grace_months integer, at_date date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN completed IS NOT NULL AND production_started IS NULL
             AND at_date >= landreg_sys.production_due(completed, grace_months)
            THEN landreg_sys.production_due(completed, grace_months) END;
