-- A number as a JSON literal for the reasons text (see json_date). STABLE, as to_json is:
-- declared IMMUTABLE over a STABLE body, PostgreSQL would call it for every value
-- instead of inlining it.
CREATE OR REPLACE FUNCTION landreg_sys.json_number(x double precision) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(to_json(x)::text, 'null');

CREATE OR REPLACE FUNCTION landreg_sys.json_number(x numeric) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(to_json(x)::text, 'null');
