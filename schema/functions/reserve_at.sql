-- Unconsumed banked compensation at legal date d, per level, as known at system time k
-- (NULL: now; issue 14.6): banks and uses recorded by k. Both are append-only.
DROP FUNCTION IF EXISTS landreg_sys.reserve_at(text, date);
CREATE OR REPLACE FUNCTION landreg_sys.reserve_at(x text, d date, k timestamptz DEFAULT NULL,
  OUT l1 double precision, OUT l2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(r.area_m2 - coalesce(u.used, 0)) FILTER (WHERE r.level = 1), 0),
         coalesce(sum(r.area_m2 - coalesce(u.used, 0)) FILTER (WHERE r.level = 2), 0)
  FROM compensation_reserve r
  LEFT JOIN LATERAL (SELECT sum(area_m2) AS used FROM compensation_use
                     WHERE reserve_id = r.id AND used_on <= d AND (k IS NULL OR created_at <= k)) u ON true
  WHERE r.xzqdm = x AND r.effective_date <= d AND (k IS NULL OR r.created_at <= k)
$$;
