CREATE TRIGGER mujun_results_20_version BEFORE INSERT OR UPDATE OR DELETE ON mujun_results
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.register_version();
