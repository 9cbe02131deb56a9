-- The cell of a 2^24 × 2^24 grid over the Web Mercator square (EPSG:3857) that holds
-- the CGCS2000 point p, counted from the west and from the north as tiles are: the
-- formula of EPSG:3857 over longitude and latitude (the sphere; CGCS2000 → WGS 84 is
-- a null transformation), as the label points of store/tiles.go. A tile z/x/y holds
-- the cells gx >> (24 − z) = x, gy >> (24 − z) = y.
CREATE OR REPLACE FUNCTION landreg_sys.web_mercator_grid(p geometry, OUT gx integer, OUT gy integer)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT least(greatest(floor((radians(ST_X(p)) + pi()) / (2 * pi()) * 16777216), 0), 16777215)::integer,
         least(greatest(floor((pi() - ln(tan(pi() / 4 + radians(ST_Y(p)) / 2))) / (2 * pi()) * 16777216), 0), 16777215)::integer
$$;
