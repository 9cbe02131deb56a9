CREATE TRIGGER compensation_reserve_append_only BEFORE UPDATE OR DELETE ON compensation_reserve
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
