-- The row of the grid of landreg_sys.web_mercator_column that holds a CGCS2000
-- latitude, counted from the north as tiles are (a tile z/·/y holds the rows
-- r >> (24 − z) = y).
CREATE OR REPLACE FUNCTION landreg_sys.web_mercator_row(lat double precision) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN least(greatest(floor((pi() - ln(tan(pi() / 4 + radians(lat) / 2))) / (2 * pi()) * 16777216), 0), 16777215)::integer;
