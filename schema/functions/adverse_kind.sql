-- Event kinds that undo a disposal (盘活) when they come after it (event_types.adverse).
CREATE OR REPLACE FUNCTION landreg_sys.adverse_kind(k smallint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN k IN (landreg_sys.event_kind('SUSPENDED'), landreg_sys.event_kind('IDLE_NOTICE'),
  landreg_sys.event_kind('IDLE_DETERMINED'), landreg_sys.event_kind('PRODUCTION_STOPPED'),
  landreg_sys.event_kind('GOV_CAUSE'));
