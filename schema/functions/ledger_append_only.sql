-- The ledger's guard lets exactly that change through: needs_review from true to false,
-- nothing else, on an entry that has its review row.
CREATE OR REPLACE FUNCTION landreg_sys.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.needs_review AND NOT NEW.needs_review
     AND (to_jsonb(OLD) - 'needs_review') = (to_jsonb(NEW) - 'needs_review')
     AND EXISTS (SELECT FROM direct_edit_reviews r WHERE r.ledger_id = OLD.id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% 只能追加 / % is append-only', TG_TABLE_NAME, TG_TABLE_NAME USING ERRCODE = 'LR004';
END
$$;
