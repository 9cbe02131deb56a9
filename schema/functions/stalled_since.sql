-- IDLE_STALLED (53号令 art. 2): started, not completed, and an open suspension for one
-- full year with under one third of the land developed or under 25 % invested (the
-- latest ratios reported; with none reported the test does not hold). Returns the day
-- it first holds, NULL when it does not hold at at_date.
CREATE OR REPLACE FUNCTION landreg_sys.stalled_since(started date, completed date, suspended date,
  developed_ratio double precision, invested_ratio double precision, at_date date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN started IS NOT NULL AND completed IS NULL AND suspended IS NOT NULL
             AND at_date >= landreg_sys.years_after(suspended, 1)
             AND (developed_ratio < 1::float8 / 3 OR invested_ratio < 0.25)
            THEN landreg_sys.years_after(suspended, 1) END;
