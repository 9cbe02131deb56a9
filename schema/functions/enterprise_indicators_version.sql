-- Versioning of enterprise_indicators (migration 00020): a change of a year's figures
-- closes the current row into enterprise_indicators_history and makes the next version;
-- a DELETE retires it. Corrections therefore never overwrite a figure silently, and the
-- verdict as known at any earlier time can be replayed. A second statement of the
-- transaction that wrote the current version amends it (one change, one version). The
-- figures' legal date (reported_on) defaults to the change context's date.
CREATE OR REPLACE FUNCTION landreg_sys.enterprise_indicators_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.sys_from > now() THEN
    RAISE EXCEPTION '企业 % 的 % 年指标已被并发事务修改，请重试 / the % indicators of % were changed by a concurrent transaction; retry',
      OLD.uscc, OLD.year, OLD.year, OLD.uscc USING ERRCODE = '40001';
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.version := 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    NEW.reported_on := coalesce(NEW.reported_on, landreg_sys.effective_date());
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    IF NEW.uscc <> OLD.uscc OR NEW.year <> OLD.year THEN
      RAISE EXCEPTION '企业年度指标的企业和年度不可修改 / the enterprise and year of indicators are their key and cannot change (% %, → % %)',
        OLD.uscc, OLD.year, NEW.uscc, NEW.year USING ERRCODE = 'LR002', COLUMN = 'year', TABLE = 'enterprise_indicators';
    END IF;
    NEW.reported_on := coalesce(NEW.reported_on, landreg_sys.effective_date());
    NEW.version := OLD.version;
    NEW.sys_from := OLD.sys_from;
    NEW.created_by := OLD.created_by;
    NEW.reason := OLD.reason;
    IF to_jsonb(NEW) = to_jsonb(OLD) THEN
      RETURN NULL; -- nothing changed: no new version, no audit row
    END IF;
    IF OLD.sys_from = now() THEN
      NEW.reason := coalesce(landreg_sys.reason(), OLD.reason);
      RETURN NEW;
    END IF;
    INSERT INTO enterprise_indicators_history SELECT now(), false, landreg_sys.actor(), landreg_sys.reason(), (OLD).*;
    NEW.version := OLD.version + 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    RETURN NEW;
  ELSE
    INSERT INTO enterprise_indicators_history SELECT now(), true, landreg_sys.actor(), landreg_sys.reason(), (OLD).*;
    RETURN OLD;
  END IF;
END
$$;

ALTER FUNCTION landreg_sys.enterprise_indicators_version() SECURITY DEFINER SET search_path = public, pg_temp;
