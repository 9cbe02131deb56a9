-- What a writer may not do to block lines, checked before any other trigger:
--  * change a district's lines after its rule check ran in this transaction (a check
--    forced early with SET CONSTRAINTS … IMMEDIATE would otherwise not see the rest);
--  * as a direct login, give a version another legal date than the commit's, or than
--    the date of the approved adjustment the edit names (adjustment_id): only the
--    owner's code and adjustments carry other dates (§8.3).
CREATE OR REPLACE FUNCTION landreg_sys.block_lines_guard() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c    landreg_sys.change_context := landreg_sys.context();
  x    text;
  want date;
BEGIN
  FOREACH x IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.xzqdm END,
                           CASE WHEN TG_OP <> 'DELETE' THEN NEW.xzqdm END] LOOP
    IF x = ANY (c.checked) THEN
      RAISE EXCEPTION '区块线 % 已在本事务中完成规则校验，不能再修改 / the block lines of % were already checked in this transaction; change them in a new transaction',
        x, x USING ERRCODE = 'LRR06', TABLE = 'block_lines';
    END IF;
  END LOOP;
  IF TG_OP = 'DELETE' OR coalesce(c.trusted, false) OR c.adjustment_id IS NOT NULL THEN
    RETURN coalesce(NEW, OLD);
  END IF;
  IF TG_OP = 'INSERT' AND NEW.valid_from IS NULL
     OR TG_OP = 'UPDATE' AND NEW.valid_from IS NOT DISTINCT FROM OLD.valid_from THEN
    RETURN NEW; -- version_row dates it
  END IF;
  want := landreg_sys.today();
  IF NEW.adjustment_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.adjustment_id IS DISTINCT FROM OLD.adjustment_id) THEN
    want := coalesce((SELECT effective_date FROM adjustments WHERE id = NEW.adjustment_id), want);
  END IF;
  IF NEW.valid_from <> want THEN
    RAISE EXCEPTION '直接编辑的生效日期须为 %（不能为 %）/ a direct edit takes effect on % (not %); other dates need an approved adjustment',
      want, NEW.valid_from, want, NEW.valid_from
      USING ERRCODE = 'LRR07', COLUMN = 'valid_from', TABLE = 'block_lines';
  END IF;
  RETURN NEW;
END
$$;
