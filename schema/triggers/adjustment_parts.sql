CREATE TRIGGER adjustment_parts_geom BEFORE INSERT OR UPDATE OF geom ON adjustment_parts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();
