-- Every version of every district's idle policy, current and replaced or withdrawn, for
-- the policy "as known on" a day (landreg_sys.policy with known_at) and its history.
CREATE VIEW idle_policy_all AS
  SELECT xzqdm, production_grace_months, stopped_months, completion_grace_months, rampup_years, unused_share,
         unused_min_mu, low_eff_tax_per_mu_wan, coverage_floor, far_floor, far_floor_from, idle_fee_share, doc_no,
         valid_from, version, sys_from, created_by, reason,
         notice_days, determination_days, decision_days, fee_payment_days,
         NULL::timestamptz AS sys_to, false AS withdrawn, NULL::text AS closed_by, NULL::text AS close_reason
  FROM idle_policy
  UNION ALL
  SELECT xzqdm, production_grace_months, stopped_months, completion_grace_months, rampup_years, unused_share,
         unused_min_mu, low_eff_tax_per_mu_wan, coverage_floor, far_floor, far_floor_from, idle_fee_share, doc_no,
         valid_from, version, sys_from, created_by, reason,
         notice_days, determination_days, decision_days, fee_payment_days, sys_to, withdrawn, closed_by, close_reason
  FROM idle_policy_history;
