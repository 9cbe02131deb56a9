-- Today's civil date in Asia/Shanghai, where every bureau's legal dates are.
CREATE OR REPLACE FUNCTION landreg_sys.today() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date
$$;
