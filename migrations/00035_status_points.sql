-- +goose Up
-- Where each parcel is drawn at city scale, with the status it is drawn in (宗地状态点,
-- issue 18.2): for each parcel, the pieces of its status timeline cut at its versions'
-- first days, in first-day order, with what the map's cells group by (district,
-- category, 低效 and 标准地 flags), the area they add up and the version's point on
-- its surface as integers of a 2^24 × 2^24 Web Mercator grid (about 2 m; a tile of
-- zoom z is 2^(24−z) of them wide), so a low-zoom tile reads one narrow row per
-- parcel and groups its cells by integer shifts. extent covers the parcel's points
-- for the index. Derived from the timeline and the versions by
-- landreg_sys.refresh_status_timeline, in the same statement that writes the timeline
-- (filled when the schema is applied).
CREATE TABLE landreg_sys.status_points (
  parcel_id      bigint PRIMARY KEY,
  starts         date[] NOT NULL,
  -- The day after each piece (NULL: open-ended).
  ends           date[] NOT NULL,
  xzqdm          text[] NOT NULL,
  category       text[] NOT NULL,
  low_efficiency boolean[] NOT NULL,
  standard_land  boolean[] NOT NULL,
  area_m2        double precision[] NOT NULL,
  gx             integer[] NOT NULL,
  gy             integer[] NOT NULL,
  extent         geometry(Geometry, 3857) NOT NULL
);
CREATE INDEX status_points_extent ON landreg_sys.status_points USING gist (extent);
COMMENT ON TABLE landreg_sys.status_points IS '宗地状态点（派生） / per parcel, the status timeline cut at its versions, with each version''s point on a Web Mercator grid: what the low-zoom cells of the map read (derived, kept with the timeline)';

-- The cells of the map on one day (状态格网), the cells of zoom 11 (32 × 32 a tile:
-- 2^16 a side, a grid cell >> 8), per district, status, 低效 and 标准地 flags: how many
-- parcels, their area and the sums of their grid points (for the mean). A tile of zooms
-- 8–11 on that day adds up these rows instead of its 10^4–10^5 parcels. Kept exact by
-- landreg_sys.refresh_status_timeline (the difference each refresh makes to the
-- parcels' points on the day) and rebuilt for a new day by
-- landreg_sys.roll_status_cells; a tile of another day reads landreg_sys.status_points.
-- No CHECK on n: an upsert's proposed row is checked before it meets the row it adds
-- to, so the refresh removes the rows it empties and refuses a negative one.
CREATE TABLE landreg_sys.status_cells (
  cx             integer NOT NULL,
  cy             integer NOT NULL,
  xzqdm          text NOT NULL,
  category       text NOT NULL,
  low_efficiency boolean,
  standard_land  boolean NOT NULL,
  n              integer NOT NULL,
  area_m2        numeric NOT NULL,
  sum_gx         bigint NOT NULL,
  sum_gy         bigint NOT NULL,
  CONSTRAINT status_cells_key UNIQUE NULLS NOT DISTINCT (cx, cy, xzqdm, category, low_efficiency, standard_land)
);
CREATE INDEX status_cells_empty ON landreg_sys.status_cells (cx) WHERE n <= 0;
COMMENT ON TABLE landreg_sys.status_cells IS '状态格网（派生） / the map''s cells of zoom 11 on landreg_sys.status_cells_day: parcels, area and point sums per cell, district, status and flags (derived, kept with the timeline)';
CREATE TABLE landreg_sys.status_cells_day (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  day date NOT NULL
);
COMMENT ON TABLE landreg_sys.status_cells_day IS '状态格网日期 / the day landreg_sys.status_cells hold';

-- +goose Down
DROP TABLE landreg_sys.status_cells_day;
DROP TABLE landreg_sys.status_cells;
DROP TABLE landreg_sys.status_points;
