-- Whether the latest year's indicators are judged against the agreed targets: completed,
-- producing, the ramp-up review due by at_date, and a year on file.
CREATE OR REPLACE FUNCTION landreg_sys.indicators_judged(completed date, production_started date, review date,
  indicator_year integer, at_date date)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN completed IS NOT NULL AND production_started IS NOT NULL AND at_date >= review AND indicator_year IS NOT NULL;
