-- 低效企业 flag (domain.md §2.2): the latest full year's 亩均税收 below the district's
-- threshold; never on a retired parcel, false without indicators.
CREATE OR REPLACE FUNCTION landreg_sys.is_low_efficiency(retired boolean, tax_per_mu double precision,
  threshold double precision)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN NOT retired AND coalesce(tax_per_mu < threshold, false);
