-- The legal date a change takes effect. Direct edits without a stated date take
-- effect today (Asia/Shanghai civil date, see docs/decisions.md).
CREATE OR REPLACE FUNCTION landreg_sys.effective_date() RETURNS date LANGUAGE plpgsql STABLE AS $$
DECLARE s text := nullif(current_setting('landreg.effective_date', true), '');
BEGIN
  IF s IS NULL THEN
    RETURN (now() AT TIME ZONE 'Asia/Shanghai')::date;
  END IF;
  RETURN s::date;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
  RAISE EXCEPTION '生效日期无效 / invalid landreg.effective_date: %', s
    USING ERRCODE = 'LR001';
END
$$;
