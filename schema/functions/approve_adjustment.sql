-- Approving an adjustment (issue 14.3): the preview is run first, in the same
-- transaction, under the district's lock (taken before the row, as every writer of lines
-- does), and kept on the row (approved_preview) so the approval's audit row shows what
-- was approved. A failing preview (shortfall, baseline, territory, overlap …) refuses the
-- approval unless the admin gives the reason to approve it anyway (override), which is
-- recorded in approved_override_reason. adjustment_approval holds the row to it. The
-- dates are checked by adjustment_dates. Only the owner role may execute it.
CREATE OR REPLACE FUNCTION landreg_sys.approve_adjustment(aid bigint, on_date date, doc text, override text)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  a adjustments%ROWTYPE;
  o jsonb;
BEGIN
  SELECT * INTO a FROM adjustments WHERE id = aid;
  IF NOT FOUND THEN
    RAISE EXCEPTION '调整方案 % 不存在 / adjustment % does not exist', aid, aid USING ERRCODE = 'LRA01';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines:' || a.xzqdm));
  SELECT * INTO a FROM adjustments WHERE id = aid FOR UPDATE;
  IF a.status NOT IN ('draft', 'publicised') THEN
    RAISE EXCEPTION '调整方案 % 已%，不能批准 / adjustment % is %; it cannot be approved', aid, a.status, aid, a.status
      USING ERRCODE = 'LRA02';
  END IF;
  o := landreg_sys.preview_adjustment(aid);
  UPDATE adjustments
  SET status = 'approved', approved_on = on_date, approved_by = landreg_sys.actor(),
      doc_no = coalesce(nullif(btrim(doc), ''), doc_no),
      approved_preview = o, approved_override_reason = nullif(btrim(override), '')
  WHERE id = aid;
  RETURN o;
END
$$;
