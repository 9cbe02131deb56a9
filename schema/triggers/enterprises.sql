-- Parcels name their holder (landreg_sys.parcel_referenced, in place of parcels_holder_uscc_fkey).
CREATE TRIGGER enterprises_05_referenced_upd AFTER UPDATE ON enterprises REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_referenced('holder_uscc', 'uscc', 'parcels_holder_uscc_fkey');
CREATE TRIGGER enterprises_05_referenced_del AFTER DELETE ON enterprises REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_referenced('holder_uscc', 'uscc', 'parcels_holder_uscc_fkey');
CREATE TRIGGER enterprises_05_referenced_truncate AFTER TRUNCATE ON enterprises
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_referenced('holder_uscc', 'uscc', 'parcels_holder_uscc_fkey');
