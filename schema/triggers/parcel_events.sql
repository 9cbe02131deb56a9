CREATE TRIGGER parcel_events_check BEFORE INSERT ON parcel_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_event_check();

CREATE TRIGGER parcel_events_append_only BEFORE UPDATE OR DELETE ON parcel_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.audit_append_only();

CREATE TRIGGER parcel_events_validate BEFORE INSERT ON parcel_events
  FOR EACH ROW EXECUTE FUNCTION landreg_sys.parcel_event_validate();

-- After parcel_events_validate (name order): the legal limits that read other rows.
CREATE TRIGGER parcel_events_validate_rules BEFORE INSERT ON parcel_events
  FOR EACH ROW WHEN (NEW.type IN ('EXTENSION_APPROVED', 'RECOVERY_DECIDED', 'IDLE_FEE_PAID'))
  EXECUTE FUNCTION landreg_sys.parcel_event_rules();

-- After parcel_events_validate_rules (name order): the order of the idle-land disposal
-- procedure (issue 15.6).
CREATE TRIGGER parcel_events_validate_rules_disposal BEFORE INSERT ON parcel_events
  FOR EACH ROW WHEN (NEW.type IN ('IDLE_DETERMINED', 'IDLE_FEE_LEVIED', 'EXTENSION_APPROVED', 'DISPOSED', 'RECOVERY_DECIDED'))
  EXECUTE FUNCTION landreg_sys.disposal_rules();

CREATE TRIGGER parcel_events_digest AFTER INSERT ON parcel_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_events_digest();

CREATE TRIGGER parcel_events_digest_truncate AFTER TRUNCATE ON parcel_events
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.parcel_events_digest();

CREATE TRIGGER parcel_events_transfer BEFORE INSERT ON parcel_events
  FOR EACH ROW WHEN (NEW.type = 'TRANSFERRED') EXECUTE FUNCTION landreg_sys.parcel_transfer_check();

-- After parcel_events_digest (name order): the status timeline reads the digest.
CREATE TRIGGER parcel_events_timeline AFTER INSERT ON parcel_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();

CREATE TRIGGER parcel_events_timeline_truncate AFTER TRUNCATE ON parcel_events
  FOR EACH STATEMENT EXECUTE FUNCTION landreg_sys.status_timeline_upkeep();
