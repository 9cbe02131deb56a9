-- Every block-line version as the register held it at system time k (NULL: now), for
-- "as known on" questions (domain.md §8.2, issue 14.6): the versions recorded by k
-- (sys_from ≤ k), where a version closed after k is shown as the open one it then was
-- (no valid_to, not retired, no sys_to). Filter it by legal date as block_lines_all:
-- valid_from ≤ d AND (valid_to IS NULL OR valid_to > d). Inlined into the caller's
-- query, so its predicates reach the indexes of both tables.
CREATE OR REPLACE FUNCTION landreg_sys.block_lines_known(k timestamptz)
RETURNS TABLE (id bigint, code text, name text, xzqdm text, level smallint, geom geometry(MultiPolygon, 4490),
  approval_doc text, adjustment_id bigint, valid_from date, valid_to date, sys_from timestamptz,
  sys_to timestamptz, retired boolean, version integer, created_by text, reason text, area_m2 double precision)
LANGUAGE sql STABLE AS $$
  SELECT id, code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from,
         NULL::date, sys_from, NULL::timestamptz, false, version, created_by, reason, area_m2
  FROM block_lines
  WHERE k IS NULL OR sys_from <= k
  UNION ALL
  SELECT id, code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from,
         CASE WHEN k IS NULL OR sys_to <= k THEN valid_to END,
         sys_from,
         CASE WHEN k IS NULL OR sys_to <= k THEN sys_to END,
         (k IS NULL OR sys_to <= k) AND retired,
         version, created_by, reason, area_m2
  FROM block_lines_history
  WHERE k IS NULL OR sys_from <= k
$$;
