-- Constraint trigger body: check each touched district once per transaction, at commit.
CREATE OR REPLACE FUNCTION landreg_sys.block_lines_rule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  x text;
  done text := coalesce(current_setting('landreg.rule_checked', true), '');
BEGIN
  FOREACH x IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.xzqdm END,
                           CASE WHEN TG_OP <> 'DELETE' THEN NEW.xzqdm END] LOOP
    CONTINUE WHEN x IS NULL OR position(':' || x || ':' IN done) > 0;
    PERFORM landreg_sys.check_district(x);
    done := done || ':' || x || ':';
    PERFORM set_config('landreg.rule_checked', done, true);
  END LOOP;
  RETURN NULL;
END
$$;

ALTER FUNCTION landreg_sys.block_lines_rule() SECURITY DEFINER SET search_path = public, pg_temp;
