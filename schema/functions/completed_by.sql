-- Completion (竣工) as the events prove it: the COMPLETED record, else the first
-- PRODUCTION_STARTED (a parcel producing is built; ruling 8 classifies it from the later
-- stages). NULL: not completed.
CREATE OR REPLACE FUNCTION landreg_sys.completed_by(completed date, production_started date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(completed, production_started);
