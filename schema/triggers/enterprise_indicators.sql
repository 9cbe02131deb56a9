CREATE TRIGGER enterprise_indicators_20_version BEFORE INSERT OR UPDATE OR DELETE ON enterprise_indicators
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.enterprise_indicators_version();

-- The status timeline of the parcels the statement touches (landreg_sys.status_timeline_upkeep).
CREATE TRIGGER enterprise_indicators_90_timeline_ins AFTER INSERT ON enterprise_indicators REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER enterprise_indicators_90_timeline_upd AFTER UPDATE ON enterprise_indicators REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER enterprise_indicators_90_timeline_del AFTER DELETE ON enterprise_indicators REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
CREATE TRIGGER enterprise_indicators_90_timeline_truncate AFTER TRUNCATE ON enterprise_indicators
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
