-- 投而未达 (BELOW_TARGET): judged (landreg_sys.indicators_judged) and short of a target.
-- It holds from the later of the review and the day the year's report counts
-- (docs/idle.md, decision 7: not §8.4's max(review, year-end), since the figures are
-- only known when reported). NULL: does not hold.
CREATE OR REPLACE FUNCTION landreg_sys.below_target_since(judged boolean, short boolean, review date,
  reported date, indicator_year integer)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN judged AND short
            THEN greatest(review, landreg_sys.indicators_count_from(indicator_year, reported)) END;
