-- Contexts of transactions older than every running one are finished: delete them.
CREATE OR REPLACE FUNCTION landreg_sys.forget_finished_contexts() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DELETE FROM landreg_sys.change_context WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
$$;
