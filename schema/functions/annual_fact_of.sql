-- The figures of an ANNUAL_INDICATORS event by name: parcel_events.fact (00006, 00019) is
-- [year, day, id, tax_wan, va_wan, energy_tce, emission_t, rd_wan, revenue_wan,
-- land_mu_used, invest_wan].
CREATE OR REPLACE FUNCTION landreg_sys.annual_fact_of(f double precision[]) RETURNS landreg_sys.annual_fact
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ROW(f[1]::int, landreg_sys.fact_day(f[2]), f[3]::bigint, f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11])::landreg_sys.annual_fact;
