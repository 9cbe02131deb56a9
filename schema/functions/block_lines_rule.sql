-- Constraint trigger body: check each touched district once per transaction, at commit.
-- The districts already checked are kept in the change context, which only this
-- (SECURITY DEFINER) code writes; block_lines_guard refuses later changes to them.
CREATE OR REPLACE FUNCTION landreg_sys.block_lines_rule() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  x text;
  c landreg_sys.change_context := landreg_sys.ensure_context();
BEGIN
  FOREACH x IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.xzqdm END,
                           CASE WHEN TG_OP <> 'DELETE' THEN NEW.xzqdm END] LOOP
    CONTINUE WHEN x IS NULL OR x = ANY (c.checked);
    PERFORM landreg_sys.check_district(x);
    UPDATE landreg_sys.change_context SET checked = checked || x
    WHERE xid = pg_current_xact_id() RETURNING * INTO c;
  END LOOP;
  RETURN NULL;
END
$$;
