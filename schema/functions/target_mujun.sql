-- The 亩均 figures the targets' actuals read (domain.md §8.5): per enterprise, its tax,
-- value added and land (亩) for a year, as of legal date at_date and as known at
-- known_at. The one source of the tax_per_mu_wan and va_per_mu_wan actuals: the
-- enterprises' figures as the one 低效 verdict reads them (landreg_sys.enterprise_verdicts:
-- the enterprise's row for the year, else its parcels' ANNUAL_INDICATORS; land reported
-- or held at year end; district where it held the most land). Firms with no land are
-- not evaluated.
CREATE OR REPLACE FUNCTION landreg_sys.target_mujun(in_year integer, at_date date, known_at timestamptz)
RETURNS TABLE (uscc text, xzqdm text, is_above_size boolean, tax_wan double precision, va_wan double precision,
  land_mu double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT v.uscc, v.xzqdm, coalesce(en.is_above_size, false), coalesce(v.tax_wan, 0), v.va_wan, v.land_mu
  FROM landreg_sys.enterprise_verdicts(in_year, at_date, known_at) v
  LEFT JOIN enterprises en ON en.uscc = v.uscc
  WHERE v.land_mu > 0
$$;
