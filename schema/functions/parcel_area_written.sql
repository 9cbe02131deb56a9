-- An update that sets a parcel's area_m2 (UPDATE OF area_m2): the area is the
-- geometry's, set by landreg_sys.parcel_props_row (issue 18.4), so a change of it is
-- refused (LR002) as PostgreSQL refused writing the generated column it was; left to the
-- versioning trigger, an update of the area alone would change nothing, silently.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_area_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.area_m2 IS DISTINCT FROM OLD.area_m2 THEN
    RAISE EXCEPTION '面积 area_m2 由几何计算，不可填写（% → %） / area_m2 is computed from the geometry and cannot be written (% → %)',
      OLD.area_m2, NEW.area_m2, OLD.area_m2, NEW.area_m2 USING ERRCODE = 'LR002', COLUMN = 'area_m2', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END
$$;
