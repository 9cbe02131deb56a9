-- Events attach to current parcels only: a retired parcel takes no new facts.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_event_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM parcels WHERE id = NEW.parcel_id) THEN
    IF EXISTS (SELECT 1 FROM parcels_history WHERE id = NEW.parcel_id AND retired) THEN
      RAISE EXCEPTION '宗地 % 已注销 / parcel % is retired', NEW.parcel_id, NEW.parcel_id
        USING ERRCODE = 'LRP02', COLUMN = 'parcel_id', TABLE = 'parcel_events';
    END IF;
    RAISE EXCEPTION '宗地 % 不存在 / parcel % does not exist', NEW.parcel_id, NEW.parcel_id
      USING ERRCODE = 'LRP01', COLUMN = 'parcel_id', TABLE = 'parcel_events';
  END IF;
  NEW.recorded_at := now();
  NEW.recorded_by := landreg_sys.actor();
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.parcel_event_check() SECURITY DEFINER SET search_path = public, pg_temp;
