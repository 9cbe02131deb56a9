-- The delineation (划定) of a district's block lines, or its correction (划定更正), carried
-- out (domain.md §1.2, §8.6.2; docs/decisions.md "Delineation, cumulative tolerance").
-- The adjustment aid holds the lines (addition parts; a correction may also remove) and
-- the document; its effective date is the baseline date (划定) or the correction's date.
--  * 划定: the district has no baseline and no block line yet; the lines are drawn as of
--    that date, which is not after the rule start, and the baseline is fixed as their
--    area (ellipsoidal, block_line_totals at that date).
--  * 划定更正: the district has a baseline; the correction's edits are made as of the
--    delineation's date (its effective date must be the baseline date: it corrects the
--    delineation, so every figure from then on is restated with it; a line changed
--    since cannot take a version that early, LR003) and the baseline is re-fixed by
--    exactly the area they add or remove, so the margin above the baseline is what it
--    was at every date.
-- Either way the district gets a new version with the baseline, its document (baseline_doc
-- and the version's doc_no) and date, audited like every district change; the rule check
-- at commit writes the ledger row (kind 'delineation', with the baseline) and holds the
-- delineation exempt from the rules it fixes the base of. A document is required. It is
-- the admins' step (the owner's alone to execute; the API and CLI demand an admin): a
-- delineation is never approved and applied as other adjustments are
-- (adjustment_for_edit refuses that).
CREATE OR REPLACE FUNCTION landreg_sys.delineate(aid bigint) RETURNS jsonb LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  a      adjustments%ROWTYPE;
  d      districts%ROWTYPE;
  before record;
  after  record;
  base   double precision;
BEGIN
  SELECT * INTO a FROM adjustments WHERE id = aid;
  IF NOT FOUND THEN
    RAISE EXCEPTION '调整方案 % 不存在 / adjustment % does not exist', aid, aid USING ERRCODE = 'LRA01';
  END IF;
  -- The district's lock first, as every writer of lines takes it.
  PERFORM pg_advisory_xact_lock(hashtext('landreg.block_lines:' || a.xzqdm));
  SELECT * INTO a FROM adjustments WHERE id = aid FOR UPDATE;
  SELECT * INTO d FROM districts WHERE xzqdm = a.xzqdm FOR UPDATE;
  IF a.kind NOT IN ('划定', '划定更正') THEN
    RAISE EXCEPTION '调整方案 % 为%，不是划定或划定更正 / adjustment % is a %, not a delineation (划定) or its correction (划定更正)',
      aid, a.kind, aid, a.kind USING ERRCODE = 'LRL03', COLUMN = 'kind', TABLE = 'adjustments';
  ELSIF a.status NOT IN ('draft', 'publicised', 'approved') THEN
    RAISE EXCEPTION '调整方案 % 已%，不能实施 / adjustment % is %; it cannot be carried out', aid, a.status, aid, a.status
      USING ERRCODE = 'LRA02';
  ELSIF a.doc_no IS NULL OR btrim(a.doc_no) = '' THEN
    RAISE EXCEPTION '%须有文号 / a % needs its document number (doc_no)', a.kind, a.kind
      USING ERRCODE = 'LRL02', COLUMN = 'doc_no', TABLE = 'adjustments';
  ELSIF a.effective_date > landreg_sys.today() THEN
    RAISE EXCEPTION '%日期 % 晚于今天 / the % is dated % , after today', a.kind, a.effective_date, a.kind, a.effective_date
      USING ERRCODE = 'LRA06', COLUMN = 'effective_date', TABLE = 'adjustments';
  END IF;
  IF a.kind = '划定' THEN
    IF d.baseline_area_m2 IS NOT NULL THEN
      RAISE EXCEPTION '行政区 % 的基数已由 % 确定（%）；更正须以划定更正办理 / the baseline of district % is already fixed (% as of %): correct it with a 划定更正',
        a.xzqdm, coalesce(d.baseline_doc, '—'), coalesce(d.baseline_date::text, '—'),
        a.xzqdm, coalesce(d.baseline_doc, '—'), coalesce(d.baseline_date::text, '—')
        USING ERRCODE = 'LRL01', TABLE = 'districts';
    ELSIF EXISTS (SELECT FROM block_lines_all WHERE xzqdm = a.xzqdm) THEN
      RAISE EXCEPTION '行政区 % 已有区块线，划定须在首次录入区块线时进行 / district % already has block lines: a delineation loads its first lines',
        a.xzqdm, a.xzqdm USING ERRCODE = 'LRL02', TABLE = 'block_lines';
    ELSIF a.effective_date > d.rule_start THEN
      RAISE EXCEPTION '划定日期 % 晚于规则期起始日 % / the delineation (%) is dated after the rule window starts (%)',
        a.effective_date, d.rule_start, a.effective_date, d.rule_start
        USING ERRCODE = 'LRA04', COLUMN = 'effective_date', TABLE = 'adjustments';
    ELSIF NOT EXISTS (SELECT FROM adjustment_parts WHERE adjustment_id = aid AND role = 'addition') THEN
      RAISE EXCEPTION '划定须含区块线 / a delineation needs its block lines' USING ERRCODE = 'LRL02', TABLE = 'adjustment_parts';
    ELSIF EXISTS (SELECT FROM adjustment_parts WHERE adjustment_id = aid AND role = 'removal') THEN
      RAISE EXCEPTION '划定只能调入区块线 / a delineation only draws lines; it removes nothing' USING ERRCODE = 'LRL02', TABLE = 'adjustment_parts';
    END IF;
  ELSIF d.baseline_area_m2 IS NULL THEN
    RAISE EXCEPTION '行政区 % 尚未划定，无可更正 / district % has no delineation to correct: delineate it (划定) first',
      a.xzqdm, a.xzqdm USING ERRCODE = 'LRL02', TABLE = 'districts';
  ELSIF a.effective_date IS DISTINCT FROM d.baseline_date THEN
    RAISE EXCEPTION '划定更正须以划定日期 % 生效（不能为 %）/ a correction of the delineation takes effect as of the delineation, %, not %',
      d.baseline_date, a.effective_date, d.baseline_date, a.effective_date
      USING ERRCODE = 'LRA04', COLUMN = 'effective_date', TABLE = 'adjustments';
  END IF;

  PERFORM landreg_sys.ensure_context();
  UPDATE landreg_sys.change_context
  SET adjustment_id = aid, effective_date = a.effective_date, preview = false, reason = coalesce(reason, a.reason)
  WHERE xid = pg_current_xact_id();
  SELECT * INTO before FROM landreg_sys.block_line_totals(a.xzqdm, a.effective_date);
  PERFORM landreg_sys.edit_lines_for(a);
  SELECT * INTO after FROM landreg_sys.block_line_totals(a.xzqdm, a.effective_date);
  base := CASE WHEN a.kind = '划定' THEN after.l1 + after.l2
               ELSE greatest(d.baseline_area_m2 + (after.l1 + after.l2) - (before.l1 + before.l2), 0) END;

  -- The district's version with the baseline is in force from the delineation's date, or
  -- with the current version when that starts later (district_version takes the
  -- context's date as the new version's).
  UPDATE landreg_sys.change_context SET effective_date = greatest(a.effective_date, d.valid_from)
  WHERE xid = pg_current_xact_id();
  UPDATE districts
  SET baseline_area_m2 = base, baseline_doc = a.doc_no, doc_no = a.doc_no,
      baseline_date = CASE WHEN a.kind = '划定' THEN a.effective_date ELSE baseline_date END
  WHERE xzqdm = a.xzqdm;
  UPDATE landreg_sys.change_context SET effective_date = a.effective_date WHERE xid = pg_current_xact_id();

  UPDATE adjustments SET status = 'applied', applied_at = now(), applied_by = landreg_sys.actor() WHERE id = aid;
  RETURN jsonb_build_object('adjustment_id', aid, 'kind', a.kind, 'xzqdm', a.xzqdm, 'effective_date', a.effective_date,
    'doc_no', a.doc_no, 'baseline_before_m2', d.baseline_area_m2, 'baseline_m2', base,
    'total_before_m2', before.l1 + before.l2, 'total_after_m2', after.l1 + after.l2,
    'total_after_m2_l1', after.l1, 'total_after_m2_l2', after.l2);
END
$$;
