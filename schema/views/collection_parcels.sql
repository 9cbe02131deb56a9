-- The current parcels as /collections/parcels serves them (columns: see
-- collection_districts.sql). The properties are stored per version (props_json,
-- built by the parcels trigger landreg_sys.parcel_props_row), and end with the
-- parcel's idle status today (status, status_zh: landreg_sys.status_members), read
-- from the status timeline. Reads parcels only, never history.
-- The status is a scalar subquery, not a join: a count or an extent, which does not
-- read props, never touches the timeline, and a page probes the timeline's index once
-- per parcel it serves.
CREATE VIEW collection_parcels AS
  SELECT t.id, t.version, t.valid_from, NULL::date AS valid_to, t.geom,
    '{"id":' || t.id || ',' || substr(left(t.props_json, -1), 2) ||
      coalesce((SELECT landreg_sys.status_members(s.category, s.category_zh) FROM landreg_sys.status_timeline s
                WHERE s.parcel_id = t.id AND s.during @> landreg_sys.today()),
               landreg_sys.status_members(NULL, NULL)) || '}' AS props,
    t.zddm, t.bdcdyh, t.xzqdm, t.project_name, t.holder_name, t.holder_uscc, t.landuse_code, t.industry_code,
    t.supply_method, t.is_standard_land, t.registered_area_m2, t.area_m2, t.price_wan, t.contract_date,
    t.agreed_start, t.agreed_completion
  FROM parcels t;

COMMENT ON VIEW collection_parcels IS '现行宗地（与 API 一致，含今日闲置状态）/ current parcels as the API serves them, with their idle status today';
