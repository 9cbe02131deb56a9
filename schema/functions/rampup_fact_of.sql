-- The figures of a RAMPUP_REVIEWED event (达产复核) by name: parcel_events.fact (00019) is
-- [day, id, passed 1/0 (NULL: not said), invest_wan].
CREATE OR REPLACE FUNCTION landreg_sys.rampup_fact_of(f double precision[]) RETURNS landreg_sys.rampup_fact
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ROW(landreg_sys.fact_day(f[1]), f[2]::bigint, f[3] = 1, f[4])::landreg_sys.rampup_fact;
