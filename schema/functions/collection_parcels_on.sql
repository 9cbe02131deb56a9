-- The parcels collection for a single datetime d, exactly as /collections/parcels
-- serves it: the parcel versions valid on d (properties as collection_parcels_all
-- builds them) with their idle status on d (status, status_zh), as known now, from the
-- status timeline. A function, not a view, because the status depends on the day; its
-- columns are those of collection_parcels_all. within narrows the rows to those whose
-- box meets it.
--   SELECT * FROM collection_parcels_on('2024-06-30') WHERE xzqdm = '330302';
-- LANGUAGE sql, STABLE, no SET and no STRICT: PostgreSQL inlines it into the caller's
-- query (as collection_parcel_status), so a page probes the timeline for its own
-- parcels only, a count never, and a within left NULL folds away.
CREATE OR REPLACE FUNCTION collection_parcels_on(d date, within geometry DEFAULT NULL)
RETURNS TABLE (id bigint, version integer, valid_from date, valid_to date, geom geometry, props text,
  zddm text, bdcdyh text, xzqdm text, project_name text, holder_name text, holder_uscc text, landuse_code text,
  industry_code text, supply_method text, is_standard_land boolean, registered_area_m2 numeric,
  area_m2 double precision, price_wan numeric, contract_date date, agreed_start date, agreed_completion date)
LANGUAGE sql STABLE AS $$
  SELECT v.id, v.version, v.valid_from, v.valid_to, v.geom,
    '{"id":' || v.id || ',' ||
      substr(left(jsonb_set(v.props_json::jsonb, '{valid_to}', coalesce(to_jsonb(v.valid_to), 'null'::jsonb))::text, -1), 2) ||
      coalesce((SELECT landreg_sys.status_members(s.category, s.category_zh) FROM landreg_sys.status_timeline s
                WHERE s.parcel_id = v.id AND s.during @> d),
               landreg_sys.status_members(NULL, NULL)) || '}',
    v.zddm, v.bdcdyh, v.xzqdm, v.project_name, v.holder_name, v.holder_uscc, v.landuse_code, v.industry_code,
    v.supply_method, v.is_standard_land, v.registered_area_m2, v.area_m2, v.price_wan, v.contract_date,
    v.agreed_start, v.agreed_completion
  FROM parcels_all v
  WHERE v.valid_from <= d AND (v.valid_to IS NULL OR v.valid_to > d)
    AND (within IS NULL OR v.geom && within)
$$;
