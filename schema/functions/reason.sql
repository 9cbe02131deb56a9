CREATE OR REPLACE FUNCTION landreg_sys.reason() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('landreg.reason', true), '')
$$;
