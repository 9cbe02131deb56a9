-- The register never holds a future line as current (domain.md §8.6.4, issue 14.2): no
-- writer may create a block-line version that takes effect after today, or retire one
-- as of a later day, whatever date its change context or the adjustment it names
-- carries. A preview (rolled back by preview_adjustment) may, so that an adjustment
-- can be previewed before its effective date. Runs after version_row has dated the row.
CREATE OR REPLACE FUNCTION landreg_sys.block_lines_not_future() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  today date := landreg_sys.today();
  eff   date := CASE WHEN TG_OP = 'DELETE' THEN landreg_sys.effective_date() ELSE NEW.valid_from END;
BEGIN
  IF eff > today AND NOT coalesce((landreg_sys.context()).preview, false) THEN
    RAISE EXCEPTION '区块线 % 的变更生效日期 % 晚于今天 %：未生效的变更不能写入现行区块线 / block line %: a change taking effect on % (after today, %) cannot be written to the current lines; apply it on that date',
      coalesce(NEW.code, OLD.code), eff, today, coalesce(NEW.code, OLD.code), eff, today
      USING ERRCODE = 'LRA06', COLUMN = 'valid_from', TABLE = 'block_lines';
  END IF;
  RETURN coalesce(NEW, OLD);
END
$$;
