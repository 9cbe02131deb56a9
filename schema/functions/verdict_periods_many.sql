-- landreg_sys.verdict_periods of many parcels (idle_core's pairs of a bulk refresh): the
-- same rows, each day's verdicts planned for that day's holders. In the one statement of
-- verdict_periods a day's holders are an array the planner takes for ten rows, and with
-- hundreds of thousands of holders the joins chosen for ten looped without end (building
-- a million-parcel county's timeline filled the disk with temporary files). A statement
-- per day, run with its holders as a constant, is planned for their number. Up to
-- per_day_from parcels the one statement stays: a plan per day would cost more than
-- those parcels take.
CREATE OR REPLACE FUNCTION landreg_sys.verdict_periods_many(ids bigint[], per_day_from integer DEFAULT 1000)
RETURNS TABLE (uscc text, from_day date, until_day date, tax_per_mu double precision, threshold double precision)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  day date;
  holders text[];
  untils date[];
BEGIN
  IF cardinality(ids) <= per_day_from THEN
    RETURN QUERY SELECT * FROM landreg_sys.verdict_periods(ids, false);
    RETURN;
  END IF;
  FOR day, holders, untils IN
    SELECT d.from_day, array_agg(d.uscc), array_agg(d.until_day) FROM landreg_sys.verdict_days(ids, false) d GROUP BY d.from_day
  LOOP
    RETURN QUERY EXECUTE
      'SELECT v.uscc, $1, u.until_day, v.tax_per_mu, v.threshold
       FROM landreg_sys.enterprise_verdicts(NULL, $1, NULL, $2) v
       JOIN unnest($2, $3) u(uscc, until_day) ON u.uscc = v.uscc'
      USING day, holders, untils;
  END LOOP;
END
$$;
