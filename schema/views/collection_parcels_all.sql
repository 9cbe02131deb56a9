-- Every version of every parcel, current and closed (retired ones included), as
-- /collections/parcels serves them for a datetime interval (columns: see
-- collection_districts.sql); (id, version) is the key. The stored properties get their
-- valid_to filled in (through jsonb, so their keys come in jsonb's order), then the
-- version's idle status (status, status_zh: landreg_sys.status_members) on its last day
-- in force, or today for a version not ended by then (the current one), never before
-- its first day (a version not yet in force): what the version came to, whatever
-- interval selects it (docs/decisions.md, "Issue 17: parcels status and closed OpenAPI
-- schemas"). A single datetime reads collection_parcels_on(d) instead, whose status is
-- the one of that day.
CREATE VIEW collection_parcels_all AS
  SELECT t.id, t.version, t.valid_from, t.valid_to, t.geom,
    '{"id":' || t.id || ',' ||
      substr(left(jsonb_set(t.props_json::jsonb, '{valid_to}', coalesce(to_jsonb(t.valid_to), 'null'::jsonb))::text, -1), 2) ||
      coalesce((SELECT landreg_sys.status_members(s.category, s.category_zh) FROM landreg_sys.status_timeline s
                WHERE s.parcel_id = t.id
                  AND s.during @> greatest(t.valid_from, least(t.valid_to - 1, landreg_sys.today()))),
               landreg_sys.status_members(NULL, NULL)) || '}' AS props,
    t.zddm, t.bdcdyh, t.xzqdm, t.project_name, t.holder_name, t.holder_uscc, t.landuse_code, t.industry_code,
    t.supply_method, t.is_standard_land, t.registered_area_m2, t.area_m2, t.price_wan, t.contract_date,
    t.agreed_start, t.agreed_completion
  FROM (SELECT p.id, p.version, p.valid_from, NULL::date AS valid_to, p.geom, p.props_json, p.zddm, p.bdcdyh,
               p.xzqdm, p.project_name, p.holder_name, p.holder_uscc, p.landuse_code, p.industry_code,
               p.supply_method, p.is_standard_land, p.registered_area_m2, p.area_m2, p.price_wan,
               p.contract_date, p.agreed_start, p.agreed_completion
        FROM parcels p
        UNION ALL
        SELECT h.id, h.version, h.valid_from, h.valid_to, h.geom, h.props_json, h.zddm, h.bdcdyh,
               h.xzqdm, h.project_name, h.holder_name, h.holder_uscc, h.landuse_code, h.industry_code,
               h.supply_method, h.is_standard_land, h.registered_area_m2, h.area_m2, h.price_wan,
               h.contract_date, h.agreed_start, h.agreed_completion
        FROM parcels_history h) t;

COMMENT ON VIEW collection_parcels_all IS '宗地全部版本（与 API 一致，含各版本末日闲置状态）/ every parcel version as the API serves it, with its idle status on its last day';
