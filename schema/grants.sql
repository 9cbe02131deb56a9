-- from 00003_tokens_roles.sql
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_reader') THEN
    GRANT USAGE ON SCHEMA public, landreg_sys TO landreg_reader;
    GRANT SELECT ON districts, block_lines, block_lines_history, block_lines_all, parcels, parcels_history,
      parcels_all, parcel_events, adjustments, adjustment_parts, compensation_reserve, compensation_use,
      block_line_ledger, enterprises, spatial_ref_sys TO landreg_reader;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_planner') THEN
    GRANT landreg_reader TO landreg_planner;
    -- Planners edit block lines and nothing else; history, audit and ledger rows are
    -- written by SECURITY DEFINER triggers on their behalf.
    GRANT INSERT, UPDATE, DELETE ON block_lines TO landreg_planner;
    GRANT USAGE ON SEQUENCE block_lines_id_seq TO landreg_planner;
  END IF;
END
$$;

-- from 00009_event_digest.sql
-- Only the trigger refreshes the digest: a direct call runs as the owner and locks.
REVOKE EXECUTE ON FUNCTION landreg_sys.refresh_event_digest(bigint[]) FROM PUBLIC;

-- from 00009_event_digest.sql
-- Readers of the status functions read the digest.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_reader') THEN
    GRANT SELECT ON landreg_sys.parcel_event_digest TO landreg_reader;
  END IF;
END
$$;

-- from 00010_direct_edit_reviews.sql
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_reader') THEN
    GRANT SELECT ON direct_edit_reviews TO landreg_reader;
  END IF;
END
$$;

