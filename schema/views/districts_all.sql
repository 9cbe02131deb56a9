-- Current and closed versions of districts together, for "as of a date" queries.
CREATE VIEW districts_all AS
  SELECT xzqdm, name, geom, baseline_area_m2, baseline_doc, baseline_date, rule_start, rule_end, comp_ratio,
         level_for_level, minor_edit_m2, include_logistics, synthetic, area_m2, gk_srid, doc_no, valid_from,
         NULL::date AS valid_to, sys_from, NULL::timestamptz AS sys_to, false AS retired, version, created_by, reason
  FROM districts
  UNION ALL
  SELECT xzqdm, name, geom, baseline_area_m2, baseline_doc, baseline_date, rule_start, rule_end, comp_ratio,
         level_for_level, minor_edit_m2, include_logistics, synthetic, area_m2, gk_srid, doc_no, valid_from,
         valid_to, sys_from, sys_to, retired, version, created_by, reason
  FROM districts_history;
