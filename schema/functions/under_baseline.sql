-- Whether a block-line total is below the district's baseline (总量只增不减, domain.md
-- §1.3), beyond rounding: a relative 1e-9 and 1e-6 m². NULL baseline: no baseline, never
-- below.
CREATE OR REPLACE FUNCTION landreg_sys.under_baseline(total_m2 double precision, baseline_m2 double precision)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN baseline_m2 IS NOT NULL AND total_m2 < baseline_m2 * (1 - 1e-9) - 1e-6;
