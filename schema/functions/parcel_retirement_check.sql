-- A retirement record (注销, 收回) follows the retirement of its parcel in the same
-- transaction: the parcel's version it names is in history, retired by this
-- transaction, with valid_to = the record's legal date; who records it is the change
-- context's actor; a decision is not recorded before it is taken (no date after
-- today). SQLSTATE LRP03.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_retirement_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.effective_date > landreg_sys.today() THEN
    RAISE EXCEPTION '注销日期 % 晚于今天 % / a parcel cannot be retired as of %, after today (%)',
      NEW.effective_date, landreg_sys.today(), NEW.effective_date, landreg_sys.today()
      USING ERRCODE = 'LRP03', COLUMN = 'effective_date', TABLE = 'parcel_retirements';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM parcels_history h
                 WHERE h.id = NEW.parcel_id AND h.version = NEW.version AND h.retired
                   AND h.sys_to = now() AND h.valid_to = NEW.effective_date) THEN
    RAISE EXCEPTION '宗地 % 未在本事务中以 % 注销 / parcel % was not retired as of % in this transaction',
      NEW.parcel_id, NEW.effective_date, NEW.parcel_id, NEW.effective_date
      USING ERRCODE = 'LRP03', COLUMN = 'effective_date', TABLE = 'parcel_retirements';
  END IF;
  NEW.recorded_at := now();
  NEW.recorded_by := landreg_sys.actor();
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.parcel_retirement_check() SECURITY DEFINER SET search_path = public, pg_temp;
