-- d plus n years in PostgreSQL date arithmetic: the anniversary, or the last day of
-- February for 29 February in a common year (2020-02-29 + 1 year = 2021-02-28).
-- "满一年" is reached on that day (domain.md §5.1).
CREATE OR REPLACE FUNCTION landreg_sys.years_after(d date, n integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (d + n * interval '1 year')::date;
