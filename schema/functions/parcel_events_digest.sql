CREATE OR REPLACE FUNCTION landreg_sys.parcel_events_digest() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM landreg_sys.parcel_event_digest;
  ELSE
    PERFORM landreg_sys.refresh_event_digest(ARRAY(SELECT DISTINCT parcel_id FROM new_rows));
  END IF;
  RETURN NULL;
END
$$;
