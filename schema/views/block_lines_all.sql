-- Current and closed versions together, for "as of a date" queries.
CREATE VIEW block_lines_all AS
  SELECT id, code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from,
         NULL::date AS valid_to, sys_from, NULL::timestamptz AS sys_to, false AS retired,
         version, created_by, reason, area_m2
  FROM block_lines
  UNION ALL
  SELECT id, code, name, xzqdm, level, geom, approval_doc, adjustment_id, valid_from,
         valid_to, sys_from, sys_to, retired, version, created_by, reason, area_m2
  FROM block_lines_history;
