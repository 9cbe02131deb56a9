-- A disposal (盘活, DISPOSED) makes the parcel NORMAL unless an adverse fact
-- (landreg_sys.adverse_kind) is dated after it (docs/idle.md, decision 8). disposed and
-- adverse: the latest of each by the date.
CREATE OR REPLACE FUNCTION landreg_sys.disposal_stands(disposed date, adverse date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN disposed IS NOT NULL AND (adverse IS NULL OR adverse <= disposed);
