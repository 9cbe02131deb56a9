-- Totals of a district's block lines valid at legal date d, per level (lines of one
-- district never overlap, so the sum of areas is the area of the union), as known at
-- system time k (NULL: now; issue 14.6): the versions recorded by k, a version closed
-- after k counting as the open one it then was (landreg_sys.block_lines_known).
DROP FUNCTION IF EXISTS landreg_sys.block_line_totals(text, date);
CREATE OR REPLACE FUNCTION landreg_sys.block_line_totals(x text, d date, k timestamptz DEFAULT NULL,
  OUT l1 double precision, OUT l2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(area_m2) FILTER (WHERE level = 1), 0),
         coalesce(sum(area_m2) FILTER (WHERE level = 2), 0)
  FROM landreg_sys.block_lines_known(k) t
  WHERE t.xzqdm = x AND t.valid_from <= d AND (t.valid_to IS NULL OR t.valid_to > d)
$$;
