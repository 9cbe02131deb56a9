CREATE TRIGGER block_lines_10_geom BEFORE INSERT OR UPDATE OF geom ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();

CREATE TRIGGER block_lines_20_version BEFORE INSERT OR UPDATE OR DELETE ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.version_row();

CREATE TRIGGER block_lines_30_overlap BEFORE INSERT OR UPDATE OF geom, xzqdm ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.block_lines_no_overlap();

CREATE CONSTRAINT TRIGGER block_lines_rule AFTER INSERT OR UPDATE OR DELETE ON block_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION landreg_sys.block_lines_rule();

CREATE TRIGGER block_lines_05_guard BEFORE INSERT OR UPDATE OR DELETE ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.block_lines_guard();

CREATE TRIGGER block_lines_25_not_future BEFORE INSERT OR UPDATE OR DELETE ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.block_lines_not_future();

CREATE TRIGGER block_lines_35_territory BEFORE INSERT OR UPDATE OF geom, xzqdm ON block_lines
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.block_lines_territory();
