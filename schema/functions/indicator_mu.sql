-- The 亩 that a year's indicators are divided by (domain.md §8.5): the reported
-- land_mu_used, else the parcel's registered area (m² × 3 / 2000). NULL for 0.
CREATE OR REPLACE FUNCTION landreg_sys.indicator_mu(land_mu_used double precision, registered_m2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(coalesce(land_mu_used, registered_m2 * 3 / 2000), 0);
