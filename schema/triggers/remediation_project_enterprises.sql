CREATE TRIGGER remediation_project_enterprises_check BEFORE INSERT OR UPDATE OR DELETE ON remediation_project_enterprises
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.remediation_link_check();
