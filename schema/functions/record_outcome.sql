-- A preview's rule-check outcome, kept in the change context for preview_adjustment.
CREATE OR REPLACE FUNCTION landreg_sys.record_outcome(o jsonb) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  UPDATE landreg_sys.change_context SET outcome = o WHERE xid = pg_current_xact_id()
$$;
