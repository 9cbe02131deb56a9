-- Area units (domain.md §5.1): 1 亩 is exactly 10000/15 m², so m² → 亩 is × 3/2000
-- (a rounded 666.67 is already 5 ppm off); 1 公顷 is 10000 m². Inlined by the planner.
CREATE OR REPLACE FUNCTION landreg_sys.m2_to_mu(m2 double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN m2 * 3 / 2000;

CREATE OR REPLACE FUNCTION landreg_sys.m2_to_mu(m2 numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN m2 * 3 / 2000;

CREATE OR REPLACE FUNCTION landreg_sys.m2_to_ha(m2 double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN m2 / 10000;

CREATE OR REPLACE FUNCTION landreg_sys.m2_to_ha(m2 numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN m2 / 10000;
