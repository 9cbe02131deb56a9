-- The idle policy in force for district x on legal date d (issue 13.3): the version with
-- the latest effective date on or before d, as known now or, with known_at, as known
-- then (idle_policy_all: versions replaced or withdrawn later still count for that
-- time); else the §8.1 defaults (the column defaults of 00004; keep both in step), with
-- no version, date or document. Both lookups go by the (xzqdm, valid_from) indexes;
-- callers ask once per district, not per parcel.
DROP FUNCTION IF EXISTS landreg_sys.policy(text); -- one signature: every caller gives the date
CREATE OR REPLACE FUNCTION landreg_sys.policy(x text, d date, known_at timestamptz DEFAULT NULL) RETURNS idle_policy
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    CASE WHEN known_at IS NULL THEN
      (SELECT p FROM idle_policy p WHERE p.xzqdm = x AND p.valid_from <= d ORDER BY p.valid_from DESC LIMIT 1)
    ELSE
      (SELECT jsonb_populate_record(NULL::idle_policy, to_jsonb(a)) FROM idle_policy_all a
       WHERE a.xzqdm = x AND a.valid_from <= d AND a.sys_from <= known_at AND (a.sys_to IS NULL OR a.sys_to > known_at)
       ORDER BY a.valid_from DESC LIMIT 1)
    END,
    jsonb_populate_record(NULL::idle_policy, jsonb_build_object('xzqdm', x,
      'production_grace_months', 12, 'stopped_months', 6, 'completion_grace_months', 6, 'rampup_years', 3,
      'unused_share', 0.20, 'unused_min_mu', 5, 'low_eff_tax_per_mu_wan', 10, 'coverage_floor', 0.30,
      'far_floor', 1.5, 'far_floor_from', DATE '2024-01-01', 'idle_fee_share', 0.20,
      'notice_days', 30, 'determination_days', 60, 'decision_days', 90, 'fee_payment_days', 30, 'version', 0)))
$$;
