-- Every version of mujun_results, current and closed, for "as of date d, as known at k" questions
-- (filter: valid_from ≤ d AND (k IS NULL OR sys_from ≤ k) AND (valid_to IS NULL OR
-- valid_to > d OR (k IS NOT NULL AND sys_to > k)), as on parcels_all).
CREATE OR REPLACE VIEW mujun_results_all AS
  SELECT NULL::date AS valid_to, NULL::timestamptz AS sys_to, false AS retired,
         NULL::text AS closed_by, NULL::text AS close_reason, t.*
  FROM mujun_results t
  UNION ALL
  SELECT * FROM mujun_results_history;
