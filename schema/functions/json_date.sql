-- JSON literals for the reasons text: a date as "YYYY-MM-DD" (DateStyle ISO, which the
-- callers set), NULL as null, a number through to_json, so that a value JSON cannot
-- write as a number (NaN, which a numeric column accepts) becomes a string rather than
-- text that fails the final cast to json. Inlined by the planner (plain SQL).
CREATE OR REPLACE FUNCTION landreg_sys.json_date(d date) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce('"' || d::text || '"', 'null');
