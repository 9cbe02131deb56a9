-- The parcel_status collection as of legal date d, exactly as
-- /collections/parcel_status serves it: the parcel versions valid on d with their idle
-- status as of d, as known now (the status timeline, refresh_status_timeline; the
-- function it holds is landreg_sys.idle_core, docs/idle.md). A function, not a view,
-- because the status depends on the date; its columns are those of every
-- collection_* view (collection_districts.sql), then the queryables of package catalog.
-- ids, within and after narrow the rows: the parcels with those ids, whose box meets
-- within, or whose id is above after (a keyset page: the bound is stated on both sides
-- of the join, since the planner carries equalities across a join but not ranges, and
-- a page's merge join otherwise read the timeline from its first parcel).
--   SELECT * FROM collection_parcel_status('2025-12-31') WHERE status = 'IDLE_2Y';
-- LANGUAGE sql, STABLE, no SET and no STRICT: PostgreSQL inlines it into the caller's
-- query, so a page (keyset and LIMIT) or a box reads the timeline by index for its
-- parcels only, and arguments left NULL fold away.
DROP FUNCTION IF EXISTS collection_parcel_status(date, bigint[], geometry); -- before after
CREATE OR REPLACE FUNCTION collection_parcel_status(d date, ids bigint[] DEFAULT NULL, within geometry DEFAULT NULL,
  after bigint DEFAULT NULL)
RETURNS TABLE (id bigint, version integer, valid_from date, valid_to date, geom geometry, props text,
  zddm text, xzqdm text, status text, low_efficiency boolean, since date, area_m2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT v.id, v.version, v.valid_from, v.valid_to, v.geom,
    json_build_object('id', v.id, 'zddm', v.zddm, 'xzqdm', v.xzqdm, 'holder_name', v.holder_name,
      'landuse_code', v.landuse_code, 'project_name', v.project_name,
      'registered_area_m2', v.registered_area_m2, 'status', s.category, 'status_zh', s.category_zh,
      'since', s.since, 'deadline', s.deadline, 'idle_fee_wan', s.idle_fee_wan, 'low_efficiency', s.low_efficiency,
      'reasons', s.reasons, 'as_of', d, 'area_m2', round(v.area_m2::numeric, 2),
      'area_mu', round(landreg_sys.m2_to_mu(v.area_m2)::numeric, 4),
      'area_ha', round(landreg_sys.m2_to_ha(v.area_m2)::numeric, 4))::text,
    v.zddm, v.xzqdm, s.category, s.low_efficiency, s.since, v.area_m2
  FROM parcels_all v
  JOIN landreg_sys.status_timeline s ON s.parcel_id = v.id AND s.during @> d
  WHERE v.valid_from <= d AND (v.valid_to IS NULL OR v.valid_to > d)
    AND (ids IS NULL OR v.id = ANY (ids))
    AND (within IS NULL OR v.geom && within)
    AND (after IS NULL OR v.id > after) AND (after IS NULL OR s.parcel_id > after)
$$;
