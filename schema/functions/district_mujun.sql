-- 亩均 of a district for a year (区域亩均税收, 亩均增加值), from the one verdict per
-- enterprise (landreg_sys.enterprise_verdicts, as the 亩均 report reads it): the judged
-- enterprises the verdict places in the district (where they held most of their land),
-- their tax and value added summed and divided by their land summed. A ratio of sums,
-- not a mean of ratios, so a large firm weighs as its land does; firms without land are
-- not judged and count nowhere. Value added per 亩 divides by the land of the firms that
-- reported value added only, so a firm without that figure does not dilute it. The map's
-- district shading and the mujun-districts report read it (docs/decisions.md, "亩均 by
-- district, ranks and sheets per district (issue 16)"). A firm judged on reported land
-- without parcels has no district: its row has xzqdm NULL.
CREATE OR REPLACE FUNCTION landreg_sys.district_mujun(in_year integer)
RETURNS TABLE (xzqdm text, enterprises integer, low_efficiency integer, land_mu double precision,
  tax_wan double precision, va_wan double precision, va_land_mu double precision,
  tax_per_mu double precision, va_per_mu double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT v.xzqdm, count(*)::integer, (count(*) FILTER (WHERE v.low_efficiency))::integer,
  sum(v.land_mu), sum(v.tax_wan), sum(v.va_wan), sum(v.land_mu) FILTER (WHERE v.va_wan IS NOT NULL),
  landreg_sys.ratio(sum(v.tax_wan), sum(v.land_mu)),
  landreg_sys.ratio(sum(v.va_wan), sum(v.land_mu) FILTER (WHERE v.va_wan IS NOT NULL))
FROM landreg_sys.enterprise_verdicts(in_year, NULL, NULL) v
WHERE v.low_efficiency IS NOT NULL
GROUP BY v.xzqdm
$$;
