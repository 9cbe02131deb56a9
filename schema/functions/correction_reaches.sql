-- The 纠错 allowance (domain.md §8.3, docs/decisions.md): a 纠错 effective on t may take
-- back, without compensation, land a direct edit added without review when that edit
-- took effect at most 30 days before t (day 30 included, not after t) and was recorded
-- in the 30 days before at_time (now; a back-dated 纠错 cannot reach older edits).
CREATE OR REPLACE FUNCTION landreg_sys.correction_reaches(edit_effective date, edit_recorded timestamptz,
  t date, at_time timestamptz)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
RETURN edit_effective <= t AND edit_effective >= t - 30 AND edit_recorded >= at_time - interval '30 days';
