-- The change context of the current transaction, or NULL. SECURITY DEFINER: no other
-- role may read the table; VOLATILE so each call sees what apply_adjustment wrote.
CREATE OR REPLACE FUNCTION landreg_sys.context() RETURNS landreg_sys.change_context
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT c FROM landreg_sys.change_context c WHERE c.xid = pg_current_xact_id_if_assigned()
$$;
