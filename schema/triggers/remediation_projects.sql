-- BEFORE triggers run in name order: versioning (which ends a no-op update and sets the
-- legal date), then the status chain, which reads that date.
CREATE TRIGGER remediation_projects_20_version BEFORE INSERT OR UPDATE OR DELETE ON remediation_projects
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.register_version();

CREATE TRIGGER remediation_projects_30_check BEFORE INSERT OR UPDATE OR DELETE ON remediation_projects
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.remediation_check();

CREATE TRIGGER remediation_projects_40_status_event AFTER INSERT OR UPDATE OF status ON remediation_projects
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.remediation_status_event();
