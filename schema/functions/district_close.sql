-- Closes a district version into districts_history: valid until valid_to, retired or
-- replaced, by the change context's actor and reason. By column name: the history's
-- columns that the district has (see district_version).
CREATE OR REPLACE FUNCTION landreg_sys.district_close(prev districts, valid_to date, retired boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE cols text;
BEGIN
  SELECT string_agg(quote_ident(h.attname), ', ' ORDER BY h.attnum) INTO cols
  FROM pg_attribute h JOIN pg_attribute d ON d.attrelid = 'districts'::regclass AND d.attname = h.attname
    AND d.attnum > 0 AND NOT d.attisdropped
  WHERE h.attrelid = 'districts_history'::regclass AND h.attnum > 0 AND NOT h.attisdropped;
  EXECUTE format('INSERT INTO districts_history (valid_to, sys_to, retired, closed_by, close_reason, %1$s)
    SELECT $1, now(), $2, landreg_sys.actor(), landreg_sys.reason(), %1$s FROM (SELECT ($3).*) o', cols)
    USING valid_to, retired, prev;
END
$$;
