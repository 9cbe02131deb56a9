-- The column of a 2^24 × 2^24 grid over the Web Mercator square (EPSG:3857) that holds
-- a CGCS2000 longitude, counted from the west as tiles are: the formula of EPSG:3857
-- (the sphere; CGCS2000 → WGS 84 is a null transformation), as the label points of
-- store/tiles.go. A tile z/x holds the columns c >> (24 − z) = x. One argument, so
-- the planner inlines it (landreg_sys.web_mercator_row is the row).
CREATE OR REPLACE FUNCTION landreg_sys.web_mercator_column(lon double precision) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN least(greatest(floor((radians(lon) + pi()) / (2 * pi()) * 16777216), 0), 16777215)::integer;
