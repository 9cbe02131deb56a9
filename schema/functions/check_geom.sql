-- Geometry gate for every polygon column: valid, non-empty, and plausibly in China
-- with lon/lat axis order. Errors carry the reason and location so QGIS shows them.
-- SQLSTATE class LR: LRG01 invalid, LRG02 empty, LRG03 outside China / swapped axes.
CREATE OR REPLACE FUNCTION landreg_sys.check_geom() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key text;
  env box2d;
BEGIN
  IF NEW.geom IS NULL THEN
    RETURN NEW; -- NOT NULL constraints report this with the column name
  END IF;
  IF ST_IsEmpty(NEW.geom) THEN
    key := landreg_sys.row_key(NEW);
    RAISE EXCEPTION '几何为空 / empty geometry (%)', key
      USING ERRCODE = 'LRG02', COLUMN = 'geom', TABLE = TG_TABLE_NAME;
  END IF;
  IF NOT ST_IsValid(NEW.geom) THEN
    key := landreg_sys.row_key(NEW);
    RAISE EXCEPTION '几何无效 / invalid geometry (%): %', key, ST_IsValidReason(NEW.geom)
      USING ERRCODE = 'LRG01', COLUMN = 'geom', TABLE = TG_TABLE_NAME,
            DETAIL = ST_IsValidReason(NEW.geom),
            HINT = '请修正自相交或重复点后重试 / fix self-intersections or repeated rings and retry';
  END IF;
  env := Box2D(NEW.geom);
  IF ST_XMin(env) < 73 OR ST_XMax(env) > 135.5 OR ST_YMin(env) < 3 OR ST_YMax(env) > 54 THEN
    key := landreg_sys.row_key(NEW);
    RAISE EXCEPTION '坐标超出中国范围 (%): 可能是坐标系或经纬度顺序错误 / coordinates outside China (%): wrong CRS or swapped lon/lat axes? bbox %',
      key, key, env::text
      USING ERRCODE = 'LRG03', COLUMN = 'geom', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END
$$;
