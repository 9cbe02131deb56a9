-- The building coverage (建筑系数) a completed parcel must reach: the contract's own
-- minimum, else the policy floor (30 %, domain.md §3).
CREATE OR REPLACE FUNCTION landreg_sys.coverage_needed(coverage_min double precision, coverage_floor double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(coverage_min, coverage_floor);
