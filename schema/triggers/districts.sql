CREATE TRIGGER districts_geom BEFORE INSERT OR UPDATE OF geom ON districts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();

-- Audit triggers (statement level, transition tables: one trigger per operation).
CREATE TRIGGER districts_audit_ins AFTER INSERT ON districts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

CREATE TRIGGER districts_audit_upd AFTER UPDATE ON districts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

CREATE TRIGGER districts_audit_del AFTER DELETE ON districts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
