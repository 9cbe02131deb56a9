CREATE TRIGGER adjustments_stamp BEFORE INSERT ON adjustments
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.adjustment_stamp();
