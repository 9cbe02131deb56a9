-- d plus n months in PostgreSQL date arithmetic: the same day of the month, or the last
-- day of a shorter month (2021-08-31 + 6 months = 2022-02-28).
CREATE OR REPLACE FUNCTION landreg_sys.months_after(d date, n integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (d + n * interval '1 month')::date;
