-- The dates of an adjustment are in the order of the procedure (domain.md §8.3, issue
-- 14.3, docs/decisions.md "Adjustment dates and approval"):
--   proposed_on ≤ publicity_from ≤ publicity_to ≤ approved_on ≤ effective_date,
--   proposed_on and approved_on not after today (Asia/Shanghai).
-- A proposal may be recorded with its effective date before it (it is then never
-- approvable, which the approval says); the approval is where the order is needed. Rules
-- are checked when a row is written with the dates they concern, so a row recorded before
-- them can still be rejected, withdrawn or applied.
CREATE OR REPLACE FUNCTION landreg_sys.adjustment_dates() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  today    date := landreg_sys.today();
  proposal boolean := TG_OP = 'INSERT' OR NEW.proposed_on IS DISTINCT FROM OLD.proposed_on
                      OR NEW.publicity_from IS DISTINCT FROM OLD.publicity_from;
  approval boolean := NEW.status = 'approved'
                      AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'approved'
                           OR NEW.approved_on IS DISTINCT FROM OLD.approved_on
                           OR NEW.effective_date IS DISTINCT FROM OLD.effective_date);
BEGIN
  NEW.proposed_on := coalesce(NEW.proposed_on, today);
  IF proposal AND NEW.proposed_on > today THEN
    RAISE EXCEPTION '提出日期 % 晚于今天 % / the proposal date % is after today (%)',
      NEW.proposed_on, today, NEW.proposed_on, today
      USING ERRCODE = 'LRA04', COLUMN = 'proposed_on', TABLE = 'adjustments';
  END IF;
  IF proposal AND NEW.publicity_from < NEW.proposed_on THEN
    RAISE EXCEPTION '公示开始日期 % 早于提出日期 % / publicity starts (%) before the proposal (%)',
      NEW.publicity_from, NEW.proposed_on, NEW.publicity_from, NEW.proposed_on
      USING ERRCODE = 'LRA04', COLUMN = 'publicity_from', TABLE = 'adjustments';
  END IF;
  IF NOT approval THEN
    RETURN NEW;
  END IF;
  IF NEW.approved_on IS NULL THEN
    RAISE EXCEPTION '批准须有批准日期 / an approval needs its date'
      USING ERRCODE = 'LRA04', COLUMN = 'approved_on', TABLE = 'adjustments';
  ELSIF NEW.approved_on > today THEN
    RAISE EXCEPTION '批准日期 % 晚于今天 % / the approval date % is after today (%)',
      NEW.approved_on, today, NEW.approved_on, today
      USING ERRCODE = 'LRA04', COLUMN = 'approved_on', TABLE = 'adjustments';
  ELSIF NEW.approved_on < NEW.proposed_on THEN
    RAISE EXCEPTION '批准日期 % 早于提出日期 % / the approval (%) is dated before the proposal (%)',
      NEW.approved_on, NEW.proposed_on, NEW.approved_on, NEW.proposed_on
      USING ERRCODE = 'LRA04', COLUMN = 'approved_on', TABLE = 'adjustments';
  ELSIF NEW.approved_on < greatest(NEW.publicity_from, NEW.publicity_to) THEN
    RAISE EXCEPTION '批准日期 % 早于公示结束 % / the approval (%) is dated before the publicity ends (%)',
      NEW.approved_on, greatest(NEW.publicity_from, NEW.publicity_to),
      NEW.approved_on, greatest(NEW.publicity_from, NEW.publicity_to)
      USING ERRCODE = 'LRA04', COLUMN = 'approved_on', TABLE = 'adjustments';
  ELSIF NEW.approved_on > NEW.effective_date THEN
    RAISE EXCEPTION '批准日期 % 晚于生效日期 %：调整不能在批准前生效，请填写实际批准日期 / the approval (%) is dated after the effective date (%): an adjustment cannot take effect before it is approved; give the actual approval date',
      NEW.approved_on, NEW.effective_date, NEW.approved_on, NEW.effective_date
      USING ERRCODE = 'LRA04', COLUMN = 'approved_on', TABLE = 'adjustments';
  END IF;
  RETURN NEW;
END
$$;
