-- The outcome an apply of the adjustment would have, without writing anything: the same
-- edits and the same rule check, run in a subtransaction that is always rolled back
-- (so no caller can keep a preview's unchecked edits by committing). A rule the edits
-- break on the way (a line outside its district, an overlap, an invalid cut: any
-- SQLSTATE of class LR) is the preview's answer too: not accepted, with its message and
-- SQLSTATE, so an approval sees it (approve_adjustment). An adjustment that cannot be
-- previewed at all (unknown, applied, rejected, withdrawn) is still an error.
CREATE OR REPLACE FUNCTION landreg_sys.preview_adjustment(aid bigint) RETURNS jsonb LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  a adjustments%ROWTYPE;
  o jsonb;
BEGIN
  BEGIN
    a := landreg_sys.adjustment_for_edit(aid, true);
    BEGIN
      PERFORM landreg_sys.edit_lines_for(a);
      SET CONSTRAINTS block_lines_rule IMMEDIATE;
      o := (landreg_sys.context()).outcome;
    EXCEPTION WHEN OTHERS THEN
      IF SQLSTATE NOT LIKE 'LR%' THEN
        RAISE;
      END IF;
      o := jsonb_build_object('accepted', false, 'message', SQLERRM, 'sqlstate', SQLSTATE,
                              'effective_date', a.effective_date);
    END;
    RAISE EXCEPTION USING ERRCODE = 'LRZ01'; -- undo the edits
  EXCEPTION WHEN SQLSTATE 'LRZ01' THEN
    NULL;
  END;
  RETURN coalesce(o, jsonb_build_object('accepted', true,
    'message', '调整方案未改变区块线 / the adjustment changes no block line'));
END
$$;
