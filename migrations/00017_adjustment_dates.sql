-- +goose Up
-- Approval checks the preview, and an adjustment's dates are in order (issue 14.3,
-- docs/decisions.md "Adjustment dates and approval"):
--  * proposed_on: the legal date of the proposal (提出日期). The day it was recorded
--    unless the writer states an earlier one (a proposal made on paper before it was
--    entered); never after the day it was recorded.
--  * approved_preview: the preview's outcome at approval (landreg_sys.approve_adjustment
--    runs it), so the audit row of the approval shows what the approver saw;
--  * approved_override_reason: why an admin approved although that preview failed.
-- The order of the dates is checked by landreg_sys.adjustment_dates (it needs today).
-- Rows recorded before this migration get the earliest date they imply as proposal date
-- (recorded, publicised or approved, whichever came first).
ALTER TABLE adjustments
  ADD COLUMN proposed_on date,
  ADD COLUMN approved_preview jsonb,
  ADD COLUMN approved_override_reason text CHECK (approved_override_reason <> '');

UPDATE adjustments
SET proposed_on = least((created_at AT TIME ZONE 'Asia/Shanghai')::date, publicity_from, approved_on);

ALTER TABLE adjustments
  ALTER COLUMN proposed_on SET DEFAULT ((now() AT TIME ZONE 'Asia/Shanghai')::date),
  ALTER COLUMN proposed_on SET NOT NULL,
  ADD CHECK (approved_override_reason IS NULL OR approved_on IS NOT NULL);

COMMENT ON COLUMN adjustments.proposed_on IS '提出日期 / legal date of the proposal; the day it was recorded unless an earlier one was stated';
COMMENT ON COLUMN adjustments.approved_preview IS '批准时的预览结果 / outcome of the preview run at approval';
COMMENT ON COLUMN adjustments.approved_override_reason IS '预览未通过仍批准的理由 / why the adjustment was approved although its preview failed';

-- +goose Down
ALTER TABLE adjustments DROP COLUMN approved_override_reason, DROP COLUMN approved_preview, DROP COLUMN proposed_on;
