-- The day from which an ANNUAL_INDICATORS report counts: it must be on file and its
-- year must have ended, so the later of its date and 1 January after its year (a
-- report for 2024 filed 2024-12-15 counts from 2025-01-01).
CREATE OR REPLACE FUNCTION landreg_sys.indicators_count_from(year integer, reported date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(reported, make_date(year + 1, 1, 1));
