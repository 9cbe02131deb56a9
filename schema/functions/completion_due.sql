-- The day a started parcel must be completed by: the agreed completion plus the
-- policy's grace (completion_grace_months).
CREATE OR REPLACE FUNCTION landreg_sys.completion_due(agreed_completion date, grace_months integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN landreg_sys.months_after(agreed_completion, grace_months);
