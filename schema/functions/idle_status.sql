-- Status of one parcel as of at_date, as known at known_at (NULL = now). From idle_core
-- even now: unlike the timeline it also answers for a parcel retired by DELETE (the
-- RETIRED row after its last version), and one parcel is classified in a millisecond.
CREATE OR REPLACE FUNCTION landreg_sys.idle_status(parcel bigint, at_date date, known_at timestamptz DEFAULT NULL)
RETURNS SETOF landreg_sys.parcel_status LANGUAGE sql STABLE PARALLEL SAFE
SET jit = off SET datestyle = 'ISO, YMD' AS $$
  SELECT s.parcel_id, s.zddm, s.xzqdm, s.category, s.category_zh, s.since, s.reasons, s.deadline,
    s.idle_fee_wan, s.low_efficiency, s.indicator_year, s.tax_per_mu_wan, s.va_per_mu_wan, s.unused_area_m2,
    s.registered_area_m2, s.area_m2
  FROM landreg_sys.idle_core(at_date, known_at, NULL, parcel) s
$$;
