-- Versions of the idle policy (landreg_sys.idle_policy_version); the audit triggers are
-- in audit.sql.
CREATE TRIGGER idle_policy_20_version BEFORE INSERT OR UPDATE OR DELETE ON idle_policy
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.idle_policy_version();
