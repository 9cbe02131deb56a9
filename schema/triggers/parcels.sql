CREATE TRIGGER parcels_10_geom BEFORE INSERT OR UPDATE OF geom ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();

CREATE TRIGGER parcels_20_version BEFORE INSERT OR UPDATE OR DELETE ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.version_row();

CREATE TRIGGER parcels_30_props BEFORE INSERT OR UPDATE ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_props_row();
