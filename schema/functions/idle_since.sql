-- The day a parcel not started by its deadline becomes 闲置满 n 年: the idle clock is the
-- start deadline, and n years are full on the n-th anniversary (domain.md §8.6.7).
CREATE OR REPLACE FUNCTION landreg_sys.idle_since(deadline date, years integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN landreg_sys.years_after(deadline, years);
