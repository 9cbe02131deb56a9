-- The undeveloped area from which a completed parcel is 用而未尽 (domain.md §2.2 (d)):
-- max(unused_share × the parcel's area, unused_min_m2); the area is the registered one,
-- else the computed one.
CREATE OR REPLACE FUNCTION landreg_sys.unused_limit(registered_m2 double precision, area_m2 double precision,
  unused_share double precision, unused_min_m2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(unused_share * coalesce(registered_m2, area_m2), unused_min_m2);
