-- Status of the given parcels as of at_date, as known now: what a map tile or a bbox
-- needs, read from the status timeline.
CREATE OR REPLACE FUNCTION landreg_sys.idle_statuses_of(ids bigint[], at_date date)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT t.parcel_id, t.zddm, t.xzqdm, t.category, t.category_zh, t.since, t.reasons, t.deadline,
    t.idle_fee_wan, t.low_efficiency, t.indicator_year, t.tax_per_mu_wan, t.va_per_mu_wan, t.unused_area_m2,
    t.registered_area_m2, t.area_m2
  FROM landreg_sys.status_timeline t
  WHERE t.parcel_id = ANY (ids) AND t.during @> at_date
$$;
