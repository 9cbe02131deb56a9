-- The adjustment aid, locked, with its district's block-line lock held, and the change
-- context set to it (its id, date and reason; a preview flag). Refuses what cannot be
-- applied (or previewed): an apply also waits for the effective date (issue 14.2); a
-- delineation (划定, 划定更正) is not applied but carried out by landreg_sys.delineate.
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
  ELSIF a.kind IN ('划定', '划定更正') THEN
    -- A delineation fixes the baseline: the admins' landreg_sys.delineate carries it out.
    RAISE EXCEPTION '调整方案 % 为%，须由管理员以划定办理（不能批准后实施）/ adjustment % is a %: an admin carries it out as a delineation (import block-lines --kind %), not by apply',
      aid, a.kind, aid, a.kind, a.kind USING ERRCODE = 'LRL03';
  ELSIF a.status <> 'approved' THEN
    RAISE EXCEPTION '调整方案 % 未批准（状态 %）/ adjustment % is not approved (status %)', aid, a.status, aid, a.status
      USING ERRCODE = 'LRA02';
  ELSIF a.effective_date > landreg_sys.today() THEN
    -- §8.6.4: never applied early; the register holds no future line as current.
    RAISE EXCEPTION '调整方案 % 的生效日期为 %，尚未生效，届时方可实施（可先预览）/ adjustment % takes effect on %: it cannot be applied before that date (preview it meanwhile)',
      aid, a.effective_date, aid, a.effective_date USING ERRCODE = 'LRA06';
  END IF;
  PERFORM landreg_sys.ensure_context();
  UPDATE landreg_sys.change_context
  SET adjustment_id = aid, effective_date = a.effective_date, preview = adjustment_for_edit.preview,
      reason = coalesce(reason, a.reason)
  WHERE xid = pg_current_xact_id();
  RETURN a;
END
$$;
