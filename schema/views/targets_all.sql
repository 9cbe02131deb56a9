-- Every version of targets, current and closed, for "as of date d, as known at k" questions
-- (filter: valid_from ≤ d AND (k IS NULL OR sys_from ≤ k) AND (valid_to IS NULL OR
-- valid_to > d OR (k IS NOT NULL AND sys_to > k)), as on parcels_all).
CREATE OR REPLACE VIEW targets_all AS
  SELECT NULL::date AS valid_to, NULL::timestamptz AS sys_to, false AS retired,
         NULL::text AS closed_by, NULL::text AS close_reason, t.*
  FROM targets t
  UNION ALL
  SELECT * FROM targets_history;
