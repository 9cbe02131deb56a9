-- The outcome an apply of the adjustment would have, without writing anything: the same
-- edits and the same rule check, run in a subtransaction that is always rolled back
-- (so no caller can keep a preview's unchecked edits by committing).
CREATE OR REPLACE FUNCTION landreg_sys.preview_adjustment(aid bigint) RETURNS jsonb LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  a adjustments%ROWTYPE;
  o jsonb;
BEGIN
  BEGIN
    a := landreg_sys.adjustment_for_edit(aid, true);
    PERFORM landreg_sys.edit_lines_for(a);
    SET CONSTRAINTS block_lines_rule IMMEDIATE;
    o := (landreg_sys.context()).outcome;
    RAISE EXCEPTION USING ERRCODE = 'LRZ01'; -- undo the edits
  EXCEPTION WHEN SQLSTATE 'LRZ01' THEN
    NULL;
  END;
  RETURN coalesce(o, jsonb_build_object('accepted', true,
    'message', '调整方案未改变区块线 / the adjustment changes no block line'));
END
$$;
