-- 改一补一: the compensation a removal needs, ratio × removed m² (districts.comp_ratio,
-- 1 when not set).
CREATE OR REPLACE FUNCTION landreg_sys.comp_need(removed_m2 double precision, ratio double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(ratio, 1.0) * removed_m2;
