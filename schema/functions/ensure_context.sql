-- The change context of the current transaction, made for a direct login (QGIS, psql)
-- when the transaction has none: its actor is the login role, its date the commit's.
CREATE OR REPLACE FUNCTION landreg_sys.ensure_context() RETURNS landreg_sys.change_context
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE c landreg_sys.change_context;
BEGIN
  SELECT * INTO c FROM landreg_sys.change_context WHERE xid = pg_current_xact_id();
  IF NOT FOUND THEN
    PERFORM landreg_sys.forget_finished_contexts();
    INSERT INTO landreg_sys.change_context (xid, actor, trusted)
    VALUES (pg_current_xact_id(), 'db:' || session_user, false)
    RETURNING * INTO c;
  END IF;
  RETURN c;
END
$$;
