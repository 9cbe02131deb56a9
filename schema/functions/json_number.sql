CREATE OR REPLACE FUNCTION landreg_sys.json_number(x double precision) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(to_json(x)::text, 'null');

CREATE OR REPLACE FUNCTION landreg_sys.json_number(x numeric) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(to_json(x)::text, 'null');
