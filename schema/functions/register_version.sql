-- Versioning of the registers of issue 15 (targets, transfers, remediation_projects,
-- mujun_results): rows keyed by id, without geometry, in the manner of version_row. An
-- UPDATE closes the current version into <table>_history and makes the next one; a
-- DELETE retires the last. The new version's legal date (valid_from) is the change
-- context's date (the one the owner's code stated, else today), never before the
-- version it replaces (LR003); a second statement of the same transaction on a version
-- it wrote amends that version instead of making another.
CREATE OR REPLACE FUNCTION landreg_sys.register_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  eff date := landreg_sys.effective_date();
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.sys_from > now() THEN
    RAISE EXCEPTION '% % 已被并发事务修改，请重试 / % % was changed by a concurrent transaction; retry',
      TG_TABLE_NAME, OLD.id, TG_TABLE_NAME, OLD.id USING ERRCODE = '40001';
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.version := 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    NEW.valid_from := coalesce(NEW.valid_from, eff);
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    IF (to_jsonb(NEW) - 'valid_from' - 'sys_from' - 'version' - 'created_by' - 'reason')
       = (to_jsonb(OLD) - 'valid_from' - 'sys_from' - 'version' - 'created_by' - 'reason') THEN
      RETURN NULL; -- nothing changed: no new version, no audit row
    END IF;
    IF NEW.id <> OLD.id THEN
      RAISE EXCEPTION '不可修改标识 / id is immutable (% → %)', OLD.id, NEW.id
        USING ERRCODE = 'LR002', COLUMN = 'id', TABLE = TG_TABLE_NAME;
    END IF;
    NEW.version := OLD.version;
    NEW.sys_from := OLD.sys_from;
    NEW.created_by := OLD.created_by;
    IF OLD.sys_from = now() THEN
      NEW.reason := coalesce(landreg_sys.reason(), OLD.reason);
      NEW.valid_from := OLD.valid_from;
      RETURN NEW;
    END IF;
    IF NEW.valid_from IS NOT DISTINCT FROM OLD.valid_from THEN
      NEW.valid_from := greatest(eff, OLD.valid_from);
    END IF;
    IF NEW.valid_from < OLD.valid_from THEN
      RAISE EXCEPTION '新版本生效日期 % 早于上一版本 % / a new version cannot take effect (%) before the version it replaces (%)',
        NEW.valid_from, OLD.valid_from, NEW.valid_from, OLD.valid_from
        USING ERRCODE = 'LR003', COLUMN = 'valid_from', TABLE = TG_TABLE_NAME;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    EXECUTE format('INSERT INTO %I.%I SELECT $1, $2, false, $3, $4, ($5).*',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history')
      USING NEW.valid_from, now(), landreg_sys.actor(), landreg_sys.reason(), OLD;
    RETURN NEW;
  ELSE
    EXECUTE format('INSERT INTO %I.%I SELECT $1, $2, true, $3, $4, ($5).*',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history')
      USING greatest(eff, OLD.valid_from), now(), landreg_sys.actor(), landreg_sys.reason(), OLD;
    RETURN OLD;
  END IF;
END
$$;

ALTER FUNCTION landreg_sys.register_version() SECURITY DEFINER SET search_path = public, pg_temp;
