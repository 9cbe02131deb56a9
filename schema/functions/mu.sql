-- Areas in 亩 for messages.
CREATE OR REPLACE FUNCTION landreg_sys.mu(m2 double precision) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(round((m2 * 3 / 2000)::numeric, 2), 'FM999999990.00')
$$;
