-- Versioning of districts (migration 00016), in the manner of version_row: an UPDATE
-- closes the current version into districts_history and makes the next one, a DELETE
-- retires the last. Differences, because a district is a set of rule settings changed
-- by documents rather than a drawn shape:
--  * the legal date the owner's code states in the change context is the new version's
--    valid_from as it is (a date before the current version's is refused, LR003, never
--    moved); without a stated date the change takes effect today (or with the current
--    version, if that starts later);
--  * a first version without a date is in force from the district's delineation
--    (baseline_date) or rule start, the earlier, else from the day it is registered;
--  * a transaction changes a district once: a second statement on a version written by
--    the same transaction amends that version instead of making another;
--  * history rows are written by column name (districts_history's columns that the
--    district has), so a column added to districts alone is left out, not misplaced.
CREATE OR REPLACE FUNCTION landreg_sys.district_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ctx landreg_sys.change_context := landreg_sys.context();
  eff date := landreg_sys.effective_date();
  stated boolean := coalesce(ctx.trusted AND ctx.effective_date IS NOT NULL, false);
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.sys_from > now() THEN
    RAISE EXCEPTION '行政区 % 已被并发事务修改，请重试 / district % was changed by a concurrent transaction; retry',
      OLD.xzqdm, OLD.xzqdm USING ERRCODE = '40001';
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.version := 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    NEW.valid_from := coalesce(NEW.valid_from, CASE WHEN stated THEN eff END,
                               least(NEW.baseline_date, NEW.rule_start), eff);
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Generated columns are not computed yet in NEW; geometry is compared by its bytes.
    IF (to_jsonb(NEW) - 'area_m2' - 'gk_srid' - 'geom') = (to_jsonb(OLD) - 'area_m2' - 'gk_srid' - 'geom')
       AND ST_AsEWKB(NEW.geom) = ST_AsEWKB(OLD.geom) THEN
      RETURN NULL; -- nothing changed: no new version, no audit row
    END IF;
    IF NEW.xzqdm <> OLD.xzqdm THEN
      RAISE EXCEPTION '行政区划代码不可修改 / a district code is immutable (% → %)', OLD.xzqdm, NEW.xzqdm
        USING ERRCODE = 'LR002', COLUMN = 'xzqdm', TABLE = 'districts';
    END IF;
    NEW.version := OLD.version;
    NEW.sys_from := OLD.sys_from;
    NEW.created_by := OLD.created_by;
    IF OLD.sys_from = now() THEN
      -- This transaction wrote the current version: the change is still one version.
      NEW.reason := coalesce(landreg_sys.reason(), OLD.reason);
      RETURN NEW;
    END IF;
    IF NEW.valid_from IS NOT DISTINCT FROM OLD.valid_from THEN
      NEW.valid_from := CASE WHEN stated THEN eff ELSE greatest(eff, OLD.valid_from) END;
    END IF;
    IF NEW.valid_from < OLD.valid_from THEN
      RAISE EXCEPTION '新版本生效日期 % 早于现行版本 % / a new version of district % cannot take effect (%) before the version it replaces (%)',
        NEW.valid_from, OLD.valid_from, OLD.xzqdm, NEW.valid_from, OLD.valid_from
        USING ERRCODE = 'LR003', COLUMN = 'valid_from', TABLE = 'districts';
    END IF;
    NEW.version := OLD.version + 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    PERFORM landreg_sys.district_close(OLD, NEW.valid_from, false);
    RETURN NEW;
  ELSE
    PERFORM landreg_sys.district_close(OLD, greatest(eff, OLD.valid_from), true);
    RETURN OLD;
  END IF;
END
$$;

ALTER FUNCTION landreg_sys.district_version() SECURITY DEFINER SET search_path = public, pg_temp;
