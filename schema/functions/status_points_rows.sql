-- The rows of landreg_sys.status_points (00035) for the parcels ids: each range of
-- their status timeline cut by the versions valid during it as known now (a range can
-- span versions that did not change the status, a geometry's move for one), with the
-- version's flags and point. The point on the surface is computed once per version;
-- extent is the grid cells the points fall in, in Web Mercator metres (a cell is
-- 2π · 6,378,137 / 2^24 m wide). Ranges no version covers (after a retirement) are
-- not drawn, as the tiles draw no parcel that is not valid on their day.
-- few: a few parcels (an event), whose ranges are read by the timeline's index per
-- version; otherwise one hash join. The planner cannot tell them apart in the cached
-- plan of a refresh (it takes a union of versions for ten thousand rows) and hashed the
-- whole timeline for one event.
CREATE OR REPLACE FUNCTION landreg_sys.status_points_rows(ids bigint[], few boolean DEFAULT false)
RETURNS SETOF landreg_sys.status_points LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH v AS MATERIALIZED (
    SELECT v.id, daterange(v.valid_from, v.valid_to) AS valid, v.is_standard_land,
      landreg_sys.web_mercator_column(ST_X(o.p)) AS gx, landreg_sys.web_mercator_row(ST_Y(o.p)) AS gy
    FROM (SELECT DISTINCT q.id FROM unnest(ids) q(id)) q
    JOIN parcels_all v ON v.id = q.id
    CROSS JOIN LATERAL (SELECT ST_PointOnSurface(v.geom) AS p OFFSET 0) o
    WHERE v.valid_to IS NULL OR v.valid_to > v.valid_from
  ), r AS (
    SELECT t.parcel_id, t.during * v.valid AS during, t.xzqdm, t.category, t.low_efficiency, v.is_standard_land,
      t.area_m2, v.gx, v.gy
    FROM v JOIN landreg_sys.status_timeline t ON t.parcel_id = v.id AND t.during && v.valid
    WHERE NOT few
    UNION ALL
    SELECT t.parcel_id, t.during * v.valid, t.xzqdm, t.category, t.low_efficiency, v.is_standard_land,
      t.area_m2, v.gx, v.gy
    FROM v CROSS JOIN LATERAL (SELECT t.* FROM landreg_sys.status_timeline t
                               WHERE t.parcel_id = v.id AND t.during && v.valid OFFSET 0) t
    WHERE few
  )
  SELECT r.parcel_id, array_agg(lower(r.during) ORDER BY lower(r.during)), array_agg(upper(r.during) ORDER BY lower(r.during)),
    array_agg(r.xzqdm ORDER BY lower(r.during)), array_agg(r.category ORDER BY lower(r.during)),
    array_agg(r.low_efficiency ORDER BY lower(r.during)), array_agg(r.is_standard_land ORDER BY lower(r.during)),
    array_agg(r.area_m2 ORDER BY lower(r.during)), array_agg(r.gx ORDER BY lower(r.during)), array_agg(r.gy ORDER BY lower(r.during)),
    ST_MakeEnvelope(min(r.gx) * u.m - u.half, u.half - (max(r.gy) + 1) * u.m,
                    (max(r.gx) + 1) * u.m - u.half, u.half - min(r.gy) * u.m, 3857)
  FROM r CROSS JOIN (SELECT 2 * pi() * 6378137 / 16777216 AS m, pi() * 6378137 AS half) u
  GROUP BY r.parcel_id, u.m, u.half
$$;
