-- Who proposed an adjustment and when are the database's, not the writer's.
CREATE OR REPLACE FUNCTION landreg_sys.adjustment_stamp() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  NEW.created_by := landreg_sys.actor();
  NEW.created_at := now();
  RETURN NEW;
END
$$;
