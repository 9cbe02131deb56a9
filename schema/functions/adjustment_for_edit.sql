-- The adjustment aid, locked, with its district's block-line lock held, and the change
-- context set to it (its id, date and reason; a preview flag). Refuses what cannot be
-- applied (or previewed).
CREATE OR REPLACE FUNCTION landreg_sys.adjustment_for_edit(aid bigint, preview boolean) RETURNS adjustments
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  a adjustments%ROWTYPE;
BEGIN
  SELECT * INTO a FROM adjustments WHERE id = aid;
  IF NOT FOUND THEN
    RAISE EXCEPTION '调整方案 % 不存在 / adjustment % does not exist', aid, aid USING ERRCODE = 'LRA01';
  END IF;
  -- The district first, then the row: the same order as every other writer of lines.
  PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines:' || a.xzqdm));
  SELECT * INTO a FROM adjustments WHERE id = aid FOR UPDATE;
  IF preview THEN
    IF a.status IN ('applied', 'rejected', 'withdrawn') THEN
      RAISE EXCEPTION '调整方案 % 已%，无法预览 / adjustment % is %, nothing to preview', aid, a.status, aid, a.status USING ERRCODE = 'LRA02';
    END IF;
  ELSIF a.status <> 'approved' THEN
    RAISE EXCEPTION '调整方案 % 未批准（状态 %）/ adjustment % is not approved (status %)', aid, a.status, aid, a.status
      USING ERRCODE = 'LRA02';
  END IF;
  PERFORM landreg_sys.ensure_context();
  UPDATE landreg_sys.change_context
  SET adjustment_id = aid, effective_date = a.effective_date, preview = adjustment_for_edit.preview,
      reason = coalesce(reason, a.reason)
  WHERE xid = pg_current_xact_id();
  RETURN a;
END
$$;
