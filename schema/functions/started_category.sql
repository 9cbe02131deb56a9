-- The category of a started parcel: the most serious test that holds (each argument is
-- the date its test first held, NULL when it does not), in the precedence of
-- landreg_sys.idle_categories: IDLE_STALLED > UNDERUSED > BUILT_NOT_PRODUCING >
-- BELOW_TARGET > UNDER_CONSTRUCTION (not completed) > NORMAL.
CREATE OR REPLACE FUNCTION landreg_sys.started_category(stalled date, underused date, not_producing date,
  below_target date, completed date)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN stalled IS NOT NULL THEN 'IDLE_STALLED'
  WHEN underused IS NOT NULL THEN 'UNDERUSED'
  WHEN not_producing IS NOT NULL THEN 'BUILT_NOT_PRODUCING'
  WHEN below_target IS NOT NULL THEN 'BELOW_TARGET'
  WHEN completed IS NULL THEN 'UNDER_CONSTRUCTION'
  ELSE 'NORMAL' END;
