-- The category of a parcel not started by at_date (domain.md §8.4; the branches exclude
-- each other): before the deadline (or without one) supplied, not due; in the year after
-- it overdue; then idle for a government cause, else idle one year, from the second
-- anniversary idle two years.
CREATE OR REPLACE FUNCTION landreg_sys.unstarted_category(deadline date, gov_cause boolean, at_date date)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN deadline IS NULL OR at_date < deadline THEN 'SUPPLIED_NOT_DUE'
  WHEN at_date < landreg_sys.idle_since(deadline, 1) THEN 'OVERDUE_START'
  WHEN gov_cause THEN 'IDLE_GOV'
  WHEN at_date < landreg_sys.idle_since(deadline, 2) THEN 'IDLE_1Y'
  ELSE 'IDLE_2Y' END;
