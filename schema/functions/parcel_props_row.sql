CREATE OR REPLACE FUNCTION landreg_sys.parcel_props_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- area_m2 is a generated column, computed only after BEFORE triggers: compute it here.
  NEW.props_json := landreg_sys.parcel_props(NEW, ST_Area(NEW.geom::geography));
  RETURN NEW;
END
$$;
