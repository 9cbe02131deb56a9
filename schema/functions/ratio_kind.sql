-- Event kinds that report developed_land_ratio and invested_ratio
-- (event_types.reports_ratios).
CREATE OR REPLACE FUNCTION landreg_sys.ratio_kind(k smallint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN k IN (landreg_sys.event_kind('PROGRESS'), landreg_sys.event_kind('SUSPENDED'));
