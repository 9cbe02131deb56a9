CREATE TRIGGER transfers_20_version BEFORE INSERT OR UPDATE OR DELETE ON transfers
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.register_version();
