CREATE TRIGGER enterprise_indicators_20_version BEFORE INSERT OR UPDATE OR DELETE ON enterprise_indicators
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.enterprise_indicators_version();
