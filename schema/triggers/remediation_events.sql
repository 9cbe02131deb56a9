CREATE TRIGGER remediation_events_check BEFORE INSERT ON remediation_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.remediation_event_check();

CREATE TRIGGER remediation_events_append_only BEFORE UPDATE OR DELETE ON remediation_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
