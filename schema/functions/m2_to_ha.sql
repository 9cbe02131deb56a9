-- Square metres to 公顷 (10000 m²). Inlined by the planner; the one copy in SQL.
DROP FUNCTION IF EXISTS landreg_sys.m2_to_ha(numeric); -- one signature: callers convert
CREATE OR REPLACE FUNCTION landreg_sys.m2_to_ha(m2 double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN m2 / 10000;
