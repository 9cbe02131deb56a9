-- Whether landreg_sys.enterprise_verdicts narrowed to these enterprises, parcels or
-- district judges few enough holders to look each report's parcel up by index rather
-- than join every parcel: what an event's refresh passes (one parcel, its holders), not
-- a district or a day of a bulk refresh. Immutable, so that a constant argument folds
-- and the other branch goes at planning.
CREATE OR REPLACE FUNCTION landreg_sys.verdicts_few(for_usccs text[], for_parcels bigint[], for_district text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT for_district IS NULL AND coalesce(cardinality(for_usccs), 0) + coalesce(cardinality(for_parcels), 0) <= 1000
$$;
