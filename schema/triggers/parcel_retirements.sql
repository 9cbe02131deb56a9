CREATE TRIGGER parcel_retirements_check BEFORE INSERT ON parcel_retirements
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_retirement_check();

CREATE TRIGGER parcel_retirements_append_only BEFORE UPDATE OR DELETE ON parcel_retirements
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();
