-- The current parcels as /collections/parcels serves them (columns: see
-- collection_districts.sql). The properties are stored per version (props_json,
-- built by the parcels trigger landreg_sys.parcel_props_row). Reads parcels only,
-- never history.
CREATE VIEW collection_parcels AS
  SELECT t.id, t.version, t.valid_from, NULL::date AS valid_to, t.geom, '{"id":' || t.id || ',' || substr(t.props_json, 2) AS props,
    t.zddm, t.bdcdyh, t.xzqdm, t.project_name, t.holder_name, t.holder_uscc, t.landuse_code, t.industry_code,
    t.supply_method, t.is_standard_land, t.registered_area_m2, t.area_m2, t.price_wan, t.contract_date,
    t.agreed_start, t.agreed_completion
  FROM parcels t;

COMMENT ON VIEW collection_parcels IS '现行宗地（与 API 一致）/ current parcels as the API serves them';
