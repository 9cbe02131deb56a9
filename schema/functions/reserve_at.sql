-- Unconsumed banked compensation at legal date d, per level.
CREATE OR REPLACE FUNCTION landreg_sys.reserve_at(x text, d date, OUT l1 double precision, OUT l2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(r.area_m2 - coalesce(u.used, 0)) FILTER (WHERE r.level = 1), 0),
         coalesce(sum(r.area_m2 - coalesce(u.used, 0)) FILTER (WHERE r.level = 2), 0)
  FROM compensation_reserve r
  LEFT JOIN LATERAL (SELECT sum(area_m2) AS used FROM compensation_use
                     WHERE reserve_id = r.id AND used_on <= d) u ON true
  WHERE r.xzqdm = x AND r.effective_date <= d
$$;
