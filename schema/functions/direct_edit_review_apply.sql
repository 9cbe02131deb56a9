CREATE OR REPLACE FUNCTION landreg_sys.direct_edit_review_apply() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, landreg_sys AS $$
BEGIN
  UPDATE block_line_ledger SET needs_review = false WHERE id = NEW.ledger_id;
  RETURN NULL;
END
$$;
