-- The day a completed parcel must be producing by: completion plus the policy's
-- production grace (production_grace_months, 12 by default).
CREATE OR REPLACE FUNCTION landreg_sys.production_due(completed date, grace_months integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN landreg_sys.months_after(completed, grace_months);
