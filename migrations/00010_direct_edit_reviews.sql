-- +goose Up
-- 复核 of direct block-line edits. A direct edit that adds area (QGIS digitising without
-- an adjustment) is counted and flagged needs_review in the ledger (domain.md §8.3);
-- for 30 days a 纠错 adjustment may take that land back without compensation. The
-- bureau's review ends that allowance: once a reviewer has confirmed the edit, the land
-- is committed like any other and taking it out needs compensation.
--
-- A review is a row here (who, when, why). Inserting it clears the ledger entry's
-- needs_review flag, which is what the 纠错 allowance in check_district reads; the
-- ledger stays append-only otherwise, and only a review may clear that one flag, once.
CREATE TABLE direct_edit_reviews (
  ledger_id   bigint PRIMARY KEY REFERENCES block_line_ledger,
  note        text NOT NULL CHECK (btrim(note) <> ''),
  reviewer    text NOT NULL, -- set by direct_edit_review_check
  reviewed_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE direct_edit_reviews IS '直接编辑复核 / reviews of direct block-line edits; a reviewed edit is no longer taken back free by a 纠错';

-- +goose Down
-- Reviews cleared ledger flags; dropping them would lose who confirmed what.
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00010 cannot be undone; restore from a backup / 00010 不可回退'; END $$;
-- +goose StatementEnd
