-- An event of a remediation project names a project on the list that is still open; who
-- recorded it and when come from the change context, not from the row. Status events
-- come only from the project's own status change (landreg_sys.remediation_status_event,
-- a trigger of remediation_projects: the trigger depth tells, not a session setting).
CREATE OR REPLACE FUNCTION landreg_sys.remediation_event_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p remediation_projects;
BEGIN
  NEW.recorded_at := now();
  NEW.recorded_by := landreg_sys.actor();
  SELECT * INTO p FROM remediation_projects WHERE id = NEW.project_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION '整治项目 % 不存在 / no remediation project %', NEW.project_id, NEW.project_id
      USING ERRCODE = 'LRT04', COLUMN = 'project_id', TABLE = 'remediation_events';
  END IF;
  IF NEW.kind = 'status' THEN
    IF pg_trigger_depth() < 2 THEN
      RAISE EXCEPTION '状态记录由项目状态变更自动生成，请修改项目状态 / status events are written when a project''s status changes; change the project''s status instead'
        USING ERRCODE = 'LRT01', COLUMN = 'kind', TABLE = 'remediation_events';
    END IF;
    RETURN NEW;
  END IF;
  IF (SELECT s.closed FROM landreg_sys.remediation_statuses s WHERE s.code = p.status) THEN
    RAISE EXCEPTION '整治项目 % 已“%”，项目已关闭，不可再记进展 / remediation project % is closed (%); a closed project is frozen',
      p.id, p.status, p.id, p.status USING ERRCODE = 'LRT02', COLUMN = 'project_id', TABLE = 'remediation_events';
  END IF;
  IF NEW.event_date > landreg_sys.today() THEN
    RAISE EXCEPTION '进展日期 % 晚于今天 / a progress event cannot be dated in the future (%)', NEW.event_date, NEW.event_date
      USING ERRCODE = '23514', COLUMN = 'event_date', TABLE = 'remediation_events';
  END IF;
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.remediation_event_check() SECURITY DEFINER SET search_path = public, pg_temp;
