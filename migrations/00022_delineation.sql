-- +goose Up
-- The delineation (划定) fixes a district's baseline; its correction (划定更正) re-fixes it
-- (issue 13.2, domain.md §8.6.2, docs/decisions.md "Delineation, cumulative tolerance").
-- Both are adjustments of their kind, carried out by landreg_sys.delineate (admins
-- only), never approved and applied as other adjustments are; the ledger row the rule
-- check writes for them is of kind 'delineation' and carries the baseline it fixed.
ALTER TABLE adjustments
  DROP CONSTRAINT adjustments_kind_check,
  ADD CONSTRAINT adjustments_kind_check CHECK (kind IN ('划定', '划定更正', '调整', '补划', '纠错', '评估优化'));

ALTER TABLE block_line_ledger
  DROP CONSTRAINT block_line_ledger_kind_check,
  ADD CONSTRAINT block_line_ledger_kind_check CHECK (kind IN ('adjustment', 'minor', 'direct', 'outside-window', 'delineation')),
  ADD COLUMN baseline_m2 double precision CHECK (baseline_m2 BETWEEN 0 AND 2e10),
  ADD CONSTRAINT block_line_ledger_baseline_check CHECK ((kind = 'delineation') = (baseline_m2 IS NOT NULL));

COMMENT ON COLUMN block_line_ledger.baseline_m2 IS '划定/划定更正确定的基数 / the baseline a delineation or its correction fixed (delineation rows only)';

-- The cumulative minor-edit tolerance (§8.6.3) sums a district's direct edits of a year.
CREATE INDEX block_line_ledger_direct ON block_line_ledger (xzqdm, effective_date) WHERE adjustment_id IS NULL;

-- +goose Down
DROP INDEX IF EXISTS block_line_ledger_direct;
ALTER TABLE block_line_ledger
  DROP CONSTRAINT block_line_ledger_baseline_check,
  DROP COLUMN baseline_m2,
  DROP CONSTRAINT block_line_ledger_kind_check,
  ADD CONSTRAINT block_line_ledger_kind_check CHECK (kind IN ('adjustment', 'minor', 'direct', 'outside-window'));
ALTER TABLE adjustments
  DROP CONSTRAINT adjustments_kind_check,
  ADD CONSTRAINT adjustments_kind_check CHECK (kind IN ('划定', '调整', '补划', '纠错', '评估优化'));
