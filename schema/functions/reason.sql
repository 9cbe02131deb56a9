-- Why: the reason the owner's code stated, or the adjustment's being applied.
CREATE OR REPLACE FUNCTION landreg_sys.reason() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT (landreg_sys.context()).reason
$$;
