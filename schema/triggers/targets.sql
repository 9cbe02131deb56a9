CREATE TRIGGER targets_10_check BEFORE INSERT OR UPDATE ON targets
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.target_check();

CREATE TRIGGER targets_20_version BEFORE INSERT OR UPDATE OR DELETE ON targets
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.register_version();
