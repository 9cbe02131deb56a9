-- A government cause excuses the idleness (IDLE_GOV, no fee, domain.md §2.1 art. 8)
-- when it lasts, or lasted, until the start deadline or beyond: cause_ends is the latest
-- end ('infinity' while ongoing) of the causes begun by the date. NULL: no cause.
CREATE OR REPLACE FUNCTION landreg_sys.gov_cause_covers(cause_ends date, deadline date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN cause_ends >= deadline;
