CREATE TRIGGER districts_geom BEFORE INSERT OR UPDATE OF geom ON districts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();
