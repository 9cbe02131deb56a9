-- The figures of a PLANNING_VERIFIED event by name: parcel_events.fact (00006) is
-- [day, id, far, coverage, unused_area_m2].
CREATE OR REPLACE FUNCTION landreg_sys.planning_fact_of(f double precision[]) RETURNS landreg_sys.planning_fact
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ROW(landreg_sys.fact_day(f[1]), f[2]::bigint, f[3], f[4], f[5])::landreg_sys.planning_fact;
