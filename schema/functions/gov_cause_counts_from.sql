-- The day from which a GOV_CAUSE counts: it must be on file and have begun, so the later
-- of its date and its start.
CREATE OR REPLACE FUNCTION landreg_sys.gov_cause_counts_from(began date, reported date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(reported, began);
