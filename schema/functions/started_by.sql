-- The start of development (动工) as the events prove it (domain.md §8.6 ruling 8): the
-- STARTED record, else the earliest COMPLETED or PRODUCTION_STARTED record, which prove
-- that development started even when its date was never recorded (a data-quality
-- finding, MISSING_START). NULL: no evidence of a start.
CREATE OR REPLACE FUNCTION landreg_sys.started_by(started date, completed date, production_started date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(started, least(completed, production_started));
