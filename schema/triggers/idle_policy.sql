CREATE TRIGGER idle_policy_audit_ins AFTER INSERT ON idle_policy REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

CREATE TRIGGER idle_policy_audit_upd AFTER UPDATE ON idle_policy REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();

CREATE TRIGGER idle_policy_audit_del AFTER DELETE ON idle_policy REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.audit();
