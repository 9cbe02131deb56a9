-- 投资强度 (万元/亩, domain.md §3): cumulative fixed-asset investment, land price
-- included, over the parcel's site area (registered, else computed). NULL without either.
CREATE OR REPLACE FUNCTION landreg_sys.invest_per_mu(invest_wan double precision, site_m2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN landreg_sys.ratio(invest_wan, landreg_sys.m2_to_mu(site_m2));
