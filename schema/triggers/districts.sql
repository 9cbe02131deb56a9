-- BEFORE triggers run in name order: the geometry gate, then versioning (which ends a
-- no-op update), then the overlap check.
CREATE TRIGGER districts_10_geom BEFORE INSERT OR UPDATE OF geom ON districts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();

CREATE TRIGGER districts_20_version BEFORE INSERT OR UPDATE OR DELETE ON districts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.district_version();

CREATE TRIGGER districts_30_overlap BEFORE INSERT OR UPDATE OF geom ON districts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.districts_no_overlap();

CREATE TRIGGER districts_40_keep_lines AFTER UPDATE OF geom ON districts
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.districts_keep_lines();

-- The status timeline of a new or removed district's parcels (landreg_sys.status_timeline_upkeep):
-- the status joins the districts.
CREATE TRIGGER districts_90_timeline_ins AFTER INSERT ON districts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER districts_90_timeline_del AFTER DELETE ON districts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();

-- Parcels name their district (landreg_sys.parcel_referenced, in place of parcels_xzqdm_fkey).
CREATE TRIGGER districts_05_referenced_upd AFTER UPDATE ON districts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_referenced('xzqdm', 'xzqdm', 'parcels_xzqdm_fkey');
CREATE TRIGGER districts_05_referenced_del AFTER DELETE ON districts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_referenced('xzqdm', 'xzqdm', 'parcels_xzqdm_fkey');
CREATE TRIGGER districts_05_referenced_truncate AFTER TRUNCATE ON districts
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_referenced('xzqdm', 'xzqdm', 'parcels_xzqdm_fkey');
