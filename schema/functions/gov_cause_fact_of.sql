-- The figures of a GOV_CAUSE event by name: parcel_events.fact (00006) is
-- [from day, to day or Infinity while ongoing].
CREATE OR REPLACE FUNCTION landreg_sys.gov_cause_fact_of(f double precision[]) RETURNS landreg_sys.gov_cause_fact
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ROW(landreg_sys.fact_day(f[1]), landreg_sys.fact_day(f[2]))::landreg_sys.gov_cause_fact;
