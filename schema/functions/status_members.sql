-- The members a parcel's properties end with for its idle status (闲置状态) on a day:
-- `,"status":…,"status_zh":…`, the names and vocabulary of the parcel_status collection
-- and the parcels tiles (landreg_sys.idle_categories). The parcels collection appends
-- them to the stored properties (collection_parcels.sql, collection_parcels_all.sql,
-- collection_parcels_on.sql), so the parcels styles, which classify by status, match
-- its features. NULLs (no status that day) give nulls. IMMUTABLE and a single
-- expression, so PostgreSQL inlines it.
CREATE OR REPLACE FUNCTION landreg_sys.status_members(category text, category_zh text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ',"status":' || coalesce(to_json(category)::text, 'null') || ',"status_zh":' || coalesce(to_json(category_zh)::text, 'null')
$$;
