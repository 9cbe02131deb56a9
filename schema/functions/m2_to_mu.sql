-- Square metres to 亩 (domain.md §5.1): 1 亩 is exactly 10000/15 m², so × 3/2000 (a
-- rounded 666.67 is already 5 ppm off). Inlined by the planner; the one copy in SQL.
DROP FUNCTION IF EXISTS landreg_sys.m2_to_mu(numeric); -- one signature: callers convert
CREATE OR REPLACE FUNCTION landreg_sys.m2_to_mu(m2 double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN m2 * 3 / 2000;
