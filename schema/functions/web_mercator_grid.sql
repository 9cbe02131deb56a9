-- The column and the row of a 2^24 × 2^24 grid over the Web Mercator square
-- (EPSG:3857) that hold a CGCS2000 longitude and latitude, counted from the west and
-- from the north as tiles are: the formula of EPSG:3857 (the sphere; CGCS2000 → WGS 84
-- is a null transformation), as the label points of store/tiles.go. A tile z/x/y holds
-- the columns c >> (24 − z) = x and the rows r >> (24 − z) = y. Two functions of one
-- argument each, so the planner inlines them (a point's one ST_PointOnSurface is not
-- evaluated twice, and no function call is planned per query).
CREATE OR REPLACE FUNCTION landreg_sys.web_mercator_column(lon double precision) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN least(greatest(floor((radians(lon) + pi()) / (2 * pi()) * 16777216), 0), 16777215)::integer;
CREATE OR REPLACE FUNCTION landreg_sys.web_mercator_row(lat double precision) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN least(greatest(floor((pi() - ln(tan(pi() / 4 + radians(lat) / 2))) / (2 * pi()) * 16777216), 0), 16777215)::integer;
