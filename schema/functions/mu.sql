-- Areas in 亩 for messages.
CREATE OR REPLACE FUNCTION landreg_sys.mu(m2 double precision) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(round(landreg_sys.m2_to_mu(m2)::numeric, 2), 'FM999999990.00')
$$;
