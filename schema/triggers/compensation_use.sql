CREATE TRIGGER compensation_use_append_only BEFORE UPDATE OR DELETE ON compensation_use
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
