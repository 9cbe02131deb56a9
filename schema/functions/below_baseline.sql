-- The no-decrease check of a change (总量只增不减, domain.md §1.3): a change that removes
-- more than the minor-edit tolerance may not leave the total under the baseline
-- (landreg_sys.under_baseline). An addition never breaks the rule (§8.6.5). Callers
-- apply it inside the rule window only.
CREATE OR REPLACE FUNCTION landreg_sys.below_baseline(total_after_m2 double precision, baseline_m2 double precision,
  removed_m2 double precision, minor_edit_m2 double precision)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN landreg_sys.under_baseline(total_after_m2, baseline_m2)
   AND landreg_sys.needs_adjustment(removed_m2, minor_edit_m2);
