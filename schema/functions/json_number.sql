-- A numeric as a JSON literal for the reasons text (see json_date; json_float for float8).
-- STABLE, as to_json is: declared IMMUTABLE over a STABLE body, PostgreSQL would call it
-- for every value instead of inlining it.
DROP FUNCTION IF EXISTS landreg_sys.json_number(double precision); -- now json_float
CREATE OR REPLACE FUNCTION landreg_sys.json_number(x numeric) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(to_json(x)::text, 'null');
