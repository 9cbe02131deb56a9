-- The figures of an EXTENSION_APPROVED event by name. This and the other *_fact_of
-- functions are the only readers of the slots of parcel_events.fact, whose layouts 00006
-- writes: here [day, id, new start deadline day].
CREATE OR REPLACE FUNCTION landreg_sys.extension_fact_of(f double precision[]) RETURNS landreg_sys.extension_fact
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ROW(landreg_sys.fact_day(f[1]), f[2]::bigint, landreg_sys.fact_day(f[3]))::landreg_sys.extension_fact;
