CREATE TRIGGER parcels_10_geom BEFORE INSERT OR UPDATE OF geom ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.check_geom();

-- The area is the geometry's (landreg_sys.parcel_props_row sets it): an update may not set it.
CREATE TRIGGER parcels_15_area BEFORE UPDATE OF area_m2 ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_area_written();

CREATE TRIGGER parcels_20_version BEFORE INSERT OR UPDATE OR DELETE ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.version_row();

CREATE TRIGGER parcels_30_props BEFORE INSERT OR UPDATE ON parcels
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_props_row();

-- The status timeline of the parcels the statement touches (landreg_sys.status_timeline_upkeep).
CREATE TRIGGER parcels_90_timeline_ins AFTER INSERT ON parcels REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER parcels_90_timeline_upd AFTER UPDATE ON parcels REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER parcels_90_timeline_del AFTER DELETE ON parcels REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER parcels_90_timeline_truncate AFTER TRUNCATE ON parcels
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();

-- The references to districts and enterprises, once per statement (landreg_sys.parcel_references,
-- in place of the foreign keys; migration 00034). AFTER triggers of a statement run in name
-- order: before the timeline and the audit.
CREATE TRIGGER parcels_05_references_ins AFTER INSERT ON parcels REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_references();
CREATE TRIGGER parcels_05_references_upd AFTER UPDATE ON parcels REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_references();
