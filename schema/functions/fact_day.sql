-- A day of parcel_events.fact (days since 2000-01-01, 00006) as a date; Infinity (an
-- ongoing government cause) as 'infinity'.
CREATE OR REPLACE FUNCTION landreg_sys.fact_day(x double precision) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN x = 'Infinity' THEN 'infinity'::date ELSE DATE '2000-01-01' + x::int END;
