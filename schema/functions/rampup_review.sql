-- The ramp-up review (达产复核): the agreed date, else production start plus the
-- policy's rampup_years. NULL: neither agreed nor producing.
CREATE OR REPLACE FUNCTION landreg_sys.rampup_review(agreed_review date, production_started date, rampup_years integer)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(agreed_review, landreg_sys.years_after(production_started, rampup_years));
