-- +goose Up
-- The 纠错 allowance of domain.md §8.3: a direct edit that only adds block-line area is
-- accepted and flagged for review; if the bureau finds it wrong, a 纠错 adjustment may
-- take that land out again without compensation, within 30 days of the edit. The
-- ledger records how much of a change was such a correction.
ALTER TABLE block_line_ledger ADD COLUMN corrected_m2 double precision NOT NULL DEFAULT 0;

COMMENT ON COLUMN block_line_ledger.corrected_m2 IS '纠错免补面积 / area of unreviewed direct additions taken out again by a 纠错 adjustment, without compensation';

-- +goose Down
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00008 cannot be undone; restore from a backup / 00008 不可回退'; END $$;
-- +goose StatementEnd
