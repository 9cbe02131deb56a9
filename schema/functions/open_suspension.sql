-- The open suspension: the latest SUSPENDED, unless a RESUMED is dated after it
-- (a resumption on the same day does not end it). NULL: none open.
CREATE OR REPLACE FUNCTION landreg_sys.open_suspension(suspended date, resumed date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN resumed IS NULL OR resumed <= suspended THEN suspended END;
