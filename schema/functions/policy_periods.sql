-- The periods in which one idle-policy version is in force per district, as known now:
-- from each version's effective date to the next one's (until_day NULL: still in
-- force), and from -infinity to the first, where the §8.1 defaults apply. Within a
-- period landreg_sys.policy(xzqdm, from_day) gives what it gives for any day of it, so
-- a status of many (parcel, day) pairs looks the policy up once per period, not per day.
-- Only the districts of the parcels ids (in any version); NULL: every district.
DROP FUNCTION IF EXISTS landreg_sys.policy_periods();
CREATE OR REPLACE FUNCTION landreg_sys.policy_periods(ids bigint[])
RETURNS TABLE (xzqdm text, from_day date, until_day date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT r.xzqdm, r.d, lead(r.d) OVER (PARTITION BY r.xzqdm ORDER BY r.d)
  FROM (SELECT d.xzqdm, '-infinity'::date AS d FROM districts d
        UNION
        SELECT p.xzqdm, p.valid_from FROM idle_policy p JOIN districts d ON d.xzqdm = p.xzqdm) r
  -- A join with the ids, not = ANY (ids), which searches a large array row by row.
  WHERE ids IS NULL OR r.xzqdm IN (SELECT v.xzqdm FROM unnest(ids) q(id) JOIN parcels_all v ON v.id = q.id)
$$;
