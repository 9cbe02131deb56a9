-- Event kinds the idle status reads (event_types.bears_on_status): PROGRESS … DISPOSED,
-- numbered 1–16 so that this is a range, and RAMPUP_REVIEWED (19, since 00019: a failed
-- review is a shortfall of its own).
CREATE OR REPLACE FUNCTION landreg_sys.status_kind(k smallint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN k BETWEEN landreg_sys.event_kind('PROGRESS') AND landreg_sys.event_kind('DISPOSED')
  OR k = landreg_sys.event_kind('RAMPUP_REVIEWED');
