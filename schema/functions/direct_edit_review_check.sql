CREATE OR REPLACE FUNCTION landreg_sys.direct_edit_review_check() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
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
