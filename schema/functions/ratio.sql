-- a per b (亩均税收, 单位能耗增加值, R&D share …); NULL when b is 0 or missing.
CREATE OR REPLACE FUNCTION landreg_sys.ratio(a double precision, b double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN a / nullif(b, 0);
