-- The FAR a completed parcel must reach (domain.md §10.9): the contract's own minimum,
-- else the provincial floor when the contract was signed on or after the floor took
-- effect; NULL: not judged.
CREATE OR REPLACE FUNCTION landreg_sys.far_needed(far_min double precision, contract_date date,
  far_floor double precision, far_floor_from date)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(far_min, CASE WHEN contract_date >= far_floor_from THEN far_floor END);
