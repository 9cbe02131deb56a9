-- The figures of a PROGRESS or SUSPENDED event by name: parcel_events.fact (00006) is
-- [day, id, developed_land_ratio, invested_ratio].
CREATE OR REPLACE FUNCTION landreg_sys.progress_fact_of(f double precision[]) RETURNS landreg_sys.progress_fact
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ROW(landreg_sys.fact_day(f[1]), f[2]::bigint, f[3], f[4])::landreg_sys.progress_fact;
