-- The rows of landreg_sys.status_figures (00032) for the parcels ids, from their ranges
-- in the status timeline, first day ascending. Joined with the ids (an index probe per
-- parcel for a few, a hash join for many), not = ANY (ids) tested per row.
CREATE OR REPLACE FUNCTION landreg_sys.status_figures_rows(ids bigint[])
RETURNS SETOF landreg_sys.status_figures LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT t.parcel_id, array_agg(lower(t.during) ORDER BY lower(t.during)), array_agg(upper(t.during) ORDER BY lower(t.during)),
    array_agg(t.xzqdm ORDER BY lower(t.during)), array_agg(t.category ORDER BY lower(t.during)),
    array_agg(t.low_efficiency ORDER BY lower(t.during)), array_agg(t.idle_fee_wan ORDER BY lower(t.during)),
    array_agg(t.registered_area_m2 ORDER BY lower(t.during)), array_agg(t.area_m2 ORDER BY lower(t.during)),
    array_agg(t.unused_area_m2 ORDER BY lower(t.during))
  FROM (SELECT DISTINCT q.id FROM unnest(ids) q(id)) q JOIN landreg_sys.status_timeline t ON t.parcel_id = q.id
  GROUP BY t.parcel_id
$$;
