-- The status chain of a remediation project (docs/decisions.md, "Targets, remediation and
-- supply (issue 15)"): 列入清单 → 制定方案 → 整治中 → 达标销号 | 关停退出, one step at a
-- time, never back; a closed project is frozen. Runs after versioning
-- (remediation_projects_20_version), so NEW.valid_from is the legal date of the change,
-- which becomes status_since when the status moves. Every writer (the API, QGIS, psql)
-- passes here.
CREATE OR REPLACE FUNCTION landreg_sys.remediation_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_step smallint;
  new_step smallint;
  closed   boolean;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> '列入清单' THEN
      RAISE EXCEPTION '整治项目 % 已进入“%”，不可删除 / remediation project % is at %, past 列入清单, and cannot be deleted',
        OLD.id, OLD.status, OLD.id, OLD.status USING ERRCODE = 'LRT02', COLUMN = 'status', TABLE = 'remediation_projects';
    END IF;
    RETURN OLD;
  END IF;
  SELECT s.step, s.closed INTO new_step, closed FROM landreg_sys.remediation_statuses s WHERE s.code = NEW.status;
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> '列入清单' THEN
      RAISE EXCEPTION '新整治项目须从“列入清单”开始，不能直接为“%” / a new remediation project starts at 列入清单, not at %',
        NEW.status, NEW.status USING ERRCODE = 'LRT01', COLUMN = 'status', TABLE = 'remediation_projects';
    END IF;
    NEW.status_since := NEW.valid_from;
    RETURN NEW;
  END IF;
  SELECT s.step INTO old_step FROM landreg_sys.remediation_statuses s WHERE s.code = OLD.status;
  IF old_step = 4 THEN
    RAISE EXCEPTION '整治项目 % 已于 % “%”，项目已关闭，不可修改 / remediation project % was closed (%) on %; a closed project is frozen',
      OLD.id, OLD.status_since, OLD.status, OLD.id, OLD.status, OLD.status_since
      USING ERRCODE = 'LRT02', COLUMN = 'status', TABLE = 'remediation_projects';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF new_step <> old_step + 1 THEN
      RAISE EXCEPTION '整治项目 % 不能从“%”% “%”，下一步应为 % / remediation project % cannot go from % to % (%); the next step is %',
        OLD.id, OLD.status, CASE WHEN new_step < old_step + 1 THEN '退回' ELSE '跳至' END, NEW.status,
        (SELECT string_agg('“' || s.code || '”', ' 或 ' ORDER BY s.code) FROM landreg_sys.remediation_statuses s WHERE s.step = old_step + 1),
        OLD.id, OLD.status, NEW.status, CASE WHEN new_step < old_step + 1 THEN 'a step back' ELSE 'a skipped step' END,
        (SELECT string_agg(s.code, ' or ' ORDER BY s.code) FROM landreg_sys.remediation_statuses s WHERE s.step = old_step + 1)
        USING ERRCODE = 'LRT01', COLUMN = 'status', TABLE = 'remediation_projects';
    END IF;
    -- The status date is the change's legal date; one the versioning moved forward to the
    -- current version's date would be a silent fix.
    IF OLD.sys_from <> now() AND landreg_sys.effective_date() < OLD.valid_from THEN
      RAISE EXCEPTION '状态变更日期 % 早于项目现行版本的日期 % / the status change (%) cannot be dated before the project''s current version (%)',
        landreg_sys.effective_date(), OLD.valid_from, landreg_sys.effective_date(), OLD.valid_from
        USING ERRCODE = 'LRT03', COLUMN = 'event_date', TABLE = 'remediation_projects';
    END IF;
    IF closed AND NEW.freed_mu IS NULL THEN
      RAISE EXCEPTION '关闭整治项目（%）须填写整治结果：腾出面积 freed_mu（亩，可为 0） / closing a project (%) needs its result: freed_mu (亩, may be 0)',
        NEW.status, NEW.status USING ERRCODE = '23514', COLUMN = 'freed_mu', TABLE = 'remediation_projects';
    END IF;
    NEW.status_since := NEW.valid_from;
  ELSE
    NEW.status_since := OLD.status_since;
  END IF;
  RETURN NEW;
END
$$;
