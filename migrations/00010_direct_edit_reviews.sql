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
  reviewer    text NOT NULL DEFAULT landreg_sys.actor(),
  reviewed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE direct_edit_reviews IS '直接编辑复核 / reviews of direct block-line edits; a reviewed edit is no longer taken back free by a 纠错';

-- +goose StatementBegin
CREATE FUNCTION landreg_sys.direct_edit_review_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, landreg_sys AS $$
DECLARE
  l block_line_ledger;
BEGIN
  SELECT * INTO l FROM block_line_ledger WHERE id = NEW.ledger_id FOR UPDATE;
  IF NOT FOUND OR l.kind <> 'direct' OR NOT l.needs_review THEN
    RAISE EXCEPTION '台账记录 % 不是待复核的直接编辑 / ledger entry % is not a direct edit awaiting review',
      NEW.ledger_id, NEW.ledger_id USING ERRCODE = 'LRV01';
  END IF;
  -- Who and when are the database's, not the client's.
  NEW.reviewer := landreg_sys.actor();
  NEW.reviewed_at := now();
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER direct_edit_reviews_check BEFORE INSERT ON direct_edit_reviews
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.direct_edit_review_check();

-- +goose StatementBegin
CREATE FUNCTION landreg_sys.direct_edit_review_apply() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, landreg_sys AS $$
BEGIN
  UPDATE block_line_ledger SET needs_review = false WHERE id = NEW.ledger_id;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER direct_edit_reviews_apply AFTER INSERT ON direct_edit_reviews
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.direct_edit_review_apply();
CREATE TRIGGER direct_edit_reviews_append_only BEFORE UPDATE OR DELETE ON direct_edit_reviews
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
CREATE TRIGGER direct_edit_reviews_audit_ins AFTER INSERT ON direct_edit_reviews REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

-- The ledger's guard lets exactly that change through: needs_review from true to false,
-- nothing else, on an entry that has its review row.
-- +goose StatementBegin
CREATE FUNCTION landreg_sys.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.needs_review AND NOT NEW.needs_review
     AND (to_jsonb(OLD) - 'needs_review') = (to_jsonb(NEW) - 'needs_review')
     AND EXISTS (SELECT FROM direct_edit_reviews r WHERE r.ledger_id = OLD.id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% 只能追加 / % is append-only', TG_TABLE_NAME, TG_TABLE_NAME USING ERRCODE = 'LR004';
END
$$;
-- +goose StatementEnd
DROP TRIGGER block_line_ledger_append_only ON block_line_ledger;
CREATE TRIGGER block_line_ledger_append_only BEFORE UPDATE OR DELETE ON block_line_ledger
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.ledger_append_only();

-- +goose StatementBegin
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_reader') THEN
    GRANT SELECT ON direct_edit_reviews TO landreg_reader;
  END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- Reviews cleared ledger flags; dropping them would lose who confirmed what.
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00010 cannot be undone; restore from a backup / 00010 不可回退'; END $$;
-- +goose StatementEnd
