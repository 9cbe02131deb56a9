-- Versions of the idle policy (landreg_sys.idle_policy_version); the audit triggers are
-- in audit.sql.
CREATE TRIGGER idle_policy_20_version BEFORE INSERT OR UPDATE OR DELETE ON idle_policy
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.idle_policy_version();

-- The status timeline of the parcels the statement touches (landreg_sys.status_timeline_upkeep).
CREATE TRIGGER idle_policy_90_timeline_ins AFTER INSERT ON idle_policy REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER idle_policy_90_timeline_upd AFTER UPDATE ON idle_policy REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER idle_policy_90_timeline_del AFTER DELETE ON idle_policy REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER idle_policy_90_timeline_truncate AFTER TRUNCATE ON idle_policy
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
