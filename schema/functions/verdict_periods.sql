-- The 低效 verdicts (landreg_sys.enterprise_verdicts, as known now) of the holders of the
-- parcels ids, in any version, as periods: a holder's verdict reads the day only to
-- choose the figures that count by then, so it changes only on the days
-- landreg_sys.verdict_days gives. It is computed once on each such day and holds until
-- the holder's next one (until_day NULL: from then on). A status of many (parcel, day)
-- pairs then joins its holder's period instead of judging the holder again for every
-- day. few: as in verdict_days. One statement, so that idle_core can inline it for a few
-- pairs; for many, landreg_sys.verdict_periods_many plans each day for its holders.
DROP FUNCTION IF EXISTS landreg_sys.verdict_periods(bigint[]);
CREATE OR REPLACE FUNCTION landreg_sys.verdict_periods(ids bigint[], few boolean DEFAULT false)
RETURNS TABLE (uscc text, from_day date, until_day date, tax_per_mu double precision, threshold double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
WITH days AS (
  SELECT * FROM landreg_sys.verdict_days(ids, few)
)
SELECT v.uscc, days.from_day, days.until_day, v.tax_per_mu, v.threshold
FROM (SELECT days.from_day AS d, array_agg(days.uscc) AS us FROM days GROUP BY days.from_day) g
CROSS JOIN LATERAL landreg_sys.enterprise_verdicts(NULL, g.d, NULL, g.us) v
JOIN days ON days.uscc = v.uscc AND days.from_day = g.d
$$;
