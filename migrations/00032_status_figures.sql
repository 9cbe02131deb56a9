-- +goose Up
-- The figures of the status timeline per parcel (状态数字, issue 18): for each parcel,
-- its ranges' first days and, in the same order, what reports add up (district,
-- category, 低效 flag, fee, areas). A whole-city report as of a day reads one row per
-- parcel and picks the range of the day by binary search (width_bucket), where the
-- timeline has nine ranges a parcel and must test each. Derived from the timeline by
-- landreg_sys.refresh_status_timeline, in the same statement that writes it.
CREATE TABLE landreg_sys.status_figures (
  parcel_id          bigint PRIMARY KEY,
  starts             date[] NOT NULL,
  -- The day after each range (NULL: open-ended).
  ends               date[] NOT NULL,
  xzqdm              text[] NOT NULL,
  category           text[] NOT NULL,
  low_efficiency     boolean[] NOT NULL,
  idle_fee_wan       numeric[] NOT NULL,
  registered_area_m2 numeric[] NOT NULL,
  area_m2            double precision[] NOT NULL,
  unused_area_m2     double precision[] NOT NULL
);
COMMENT ON TABLE landreg_sys.status_figures IS '宗地状态数字（派生） / per parcel, the status timeline''s ranges as arrays of the figures reports add up (derived, kept with the timeline)';

INSERT INTO landreg_sys.status_figures
SELECT t.parcel_id, array_agg(lower(t.during) ORDER BY lower(t.during)), array_agg(upper(t.during) ORDER BY lower(t.during)),
  array_agg(t.xzqdm ORDER BY lower(t.during)), array_agg(t.category ORDER BY lower(t.during)),
  array_agg(t.low_efficiency ORDER BY lower(t.during)), array_agg(t.idle_fee_wan ORDER BY lower(t.during)),
  array_agg(t.registered_area_m2 ORDER BY lower(t.during)), array_agg(t.area_m2 ORDER BY lower(t.during)),
  array_agg(t.unused_area_m2 ORDER BY lower(t.during))
FROM landreg_sys.status_timeline t GROUP BY t.parcel_id;

-- +goose Down
DROP TABLE landreg_sys.status_figures;
