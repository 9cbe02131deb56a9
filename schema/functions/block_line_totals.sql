-- Totals of a district's block lines valid at legal date d, per level (lines of one
-- district never overlap, so the sum of areas is the area of the union).
CREATE OR REPLACE FUNCTION landreg_sys.block_line_totals(x text, d date, OUT l1 double precision, OUT l2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(area_m2) FILTER (WHERE level = 1), 0),
         coalesce(sum(area_m2) FILTER (WHERE level = 2), 0)
  FROM (
    SELECT level, area_m2 FROM block_lines WHERE xzqdm = x AND valid_from <= d
    UNION ALL
    SELECT level, area_m2 FROM block_lines_history
    WHERE xzqdm = x AND valid_from <= d AND valid_to > d
  ) s
$$;
