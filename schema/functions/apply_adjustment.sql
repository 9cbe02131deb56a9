-- Applying an approved adjustment: cut its removal parts out of the district's current
-- lines and add its addition parts, as of its effective date; the rule check runs at
-- commit. Only the owner role may execute it (the API's apply, admin or planner token).
--
-- Applies in one district are serialised by the district's lock, taken before any line
-- is read, and the lines are read FOR UPDATE: two applies at once would otherwise each
-- compute a difference from the same old geometry, and the second would put the first
-- one's cut back.
CREATE OR REPLACE FUNCTION landreg_sys.apply_adjustment(aid bigint) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  a adjustments%ROWTYPE;
BEGIN
  a := landreg_sys.adjustment_for_edit(aid, false);
  PERFORM landreg_sys.edit_lines_for(a);
  UPDATE adjustments SET status = 'applied', applied_at = now(), applied_by = landreg_sys.actor() WHERE id = aid;
END
$$;
