-- Each status a remediation project takes is a dated event of its progress (kind
-- 'status'), written here so that QGIS edits leave the same record as the API.
-- SECURITY DEFINER: remediation_event_check accepts status events only from this trigger.
CREATE OR REPLACE FUNCTION landreg_sys.remediation_status_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO remediation_events (project_id, event_date, kind, status, note)
    VALUES (NEW.id, NEW.status_since, 'status', NEW.status, landreg_sys.reason());
  END IF;
  RETURN NULL;
END
$$;

ALTER FUNCTION landreg_sys.remediation_status_event() SECURITY DEFINER SET search_path = public, pg_temp;
