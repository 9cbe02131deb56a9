CREATE TRIGGER adjustments_stamp BEFORE INSERT ON adjustments
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.adjustment_stamp();

CREATE TRIGGER adjustments_10_dates BEFORE INSERT OR UPDATE ON adjustments
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.adjustment_dates();

CREATE TRIGGER adjustments_20_approval BEFORE INSERT OR UPDATE OF status ON adjustments
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.adjustment_approval();
