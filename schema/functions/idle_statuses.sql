-- Status of every parcel valid at at_date (optionally of one district), as known at
-- known_at (NULL = now). Now: read from the status timeline (refresh_status_timeline),
-- which holds what idle_core gives for every date. As known earlier: idle_core itself
-- (landreg_sys.idle_statuses_known). A SQL function, inlined into its caller: the
-- branch not taken folds away, and a caller's filter (a category, a district) reaches
-- the timeline's scan instead of a copy of every row.
CREATE OR REPLACE FUNCTION landreg_sys.idle_statuses(at_date date, known_at timestamptz DEFAULT NULL, in_district text DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT t.parcel_id, t.zddm, t.xzqdm, t.category, t.category_zh, t.since, t.reasons, t.deadline,
    t.idle_fee_wan, t.low_efficiency, t.indicator_year, t.tax_per_mu_wan, t.va_per_mu_wan, t.unused_area_m2,
    t.registered_area_m2, t.area_m2
  FROM landreg_sys.status_timeline t
  WHERE known_at IS NULL AND t.during @> at_date AND (in_district IS NULL OR t.xzqdm = in_district)
  UNION ALL
  SELECT * FROM landreg_sys.idle_statuses_known(at_date, known_at, in_district) WHERE known_at IS NOT NULL
$$;
