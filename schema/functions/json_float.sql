-- A float8 as a JSON literal for the reasons text (json_number for numeric): to_json
-- writes NaN and ±Infinity as strings, so the reasons stay valid JSON. STABLE for
-- inlining, as json_number.
CREATE OR REPLACE FUNCTION landreg_sys.json_float(x double precision) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(to_json(x)::text, 'null');
