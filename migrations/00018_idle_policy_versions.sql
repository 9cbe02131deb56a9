-- +goose Up
-- Idle policy per district, versioned by effective date (issue 13 item 3, domain.md
-- §8.6 ruling 13): a district's thresholds are set by documents, each in force from its
-- date until the next one's, so the status of a parcel as of a date d is judged by the
-- policy in force at d and a change never rewrites the statuses before it.
--
-- idle_policy now holds one row per (district, effective date): a legal-time version,
-- with its document (doc_no) and who wrote it. Replacing a version (a correction written
-- with the same effective date) or deleting one closes it into idle_policy_history, as
-- districts are (system time: sys_from … sys_to), so the policy as known on any earlier
-- day can be read again (idle_policy_all). Before a district's first version, and for a
-- district without any, the §8.1 defaults (landreg_sys.policy) rule.
--
-- The row the table held per district so far was the district's policy for every date:
-- it becomes the district's first version, in force from 1900-01-01.
ALTER TABLE idle_policy DISABLE TRIGGER USER;

ALTER TABLE idle_policy
  ADD COLUMN valid_from date,
  ADD COLUMN version    integer NOT NULL DEFAULT 1,
  ADD COLUMN sys_from   timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN created_by text,
  ADD COLUMN reason     text;

UPDATE idle_policy p SET valid_from = DATE '1900-01-01',
  sys_from = coalesce((SELECT min(a.at) FROM audit_log a WHERE a.table_name = 'idle_policy' AND a.row_key = p.xzqdm), now()),
  doc_no = nullif(btrim(p.doc_no), '');

ALTER TABLE idle_policy ENABLE TRIGGER USER;

ALTER TABLE idle_policy
  DROP CONSTRAINT idle_policy_pkey,
  ALTER COLUMN valid_from SET NOT NULL,
  ADD PRIMARY KEY (xzqdm, valid_from),
  ADD CONSTRAINT idle_policy_valid_from_check CHECK (valid_from BETWEEN '1900-01-01' AND '2199-12-31'),
  ADD CONSTRAINT idle_policy_doc_no_check CHECK (doc_no IS NULL OR btrim(doc_no) <> ''),
  -- Thresholds are positive (issue 13.3): a zero 低效 tax threshold flags no firm, a
  -- zero FAR floor is no floor (NULL says that), a zero minimum unused area leaves
  -- the share alone (the share says that). Months and years stay ≥ 0, shares in 0..1.
  DROP CONSTRAINT idle_policy_low_eff_tax_per_mu_wan_check,
  ADD CONSTRAINT idle_policy_low_eff_tax_per_mu_wan_check CHECK (low_eff_tax_per_mu_wan > 0 AND low_eff_tax_per_mu_wan <= 1e4),
  DROP CONSTRAINT idle_policy_far_floor_check,
  ADD CONSTRAINT idle_policy_far_floor_check CHECK (far_floor > 0 AND far_floor <= 20),
  DROP CONSTRAINT idle_policy_unused_min_mu_check,
  ADD CONSTRAINT idle_policy_unused_min_mu_check CHECK (unused_min_mu > 0 AND unused_min_mu <= 1e5),
  ADD CONSTRAINT idle_policy_far_floor_from_check CHECK (far_floor_from BETWEEN '1900-01-01' AND '2199-12-31');

UPDATE landreg_sys.value_bounds SET min_exclusive = true
WHERE tbl = 'idle_policy' AND field IN ('low_eff_tax_per_mu_wan', 'far_floor', 'unused_min_mu');

COMMENT ON COLUMN idle_policy.valid_from IS '生效日期 / legal date from which this version is in force (until the next version''s)';
COMMENT ON COLUMN idle_policy.doc_no IS '文号 / document number of the policy version';
COMMENT ON COLUMN idle_policy.version IS '版本号 / number of this version among all versions of the district''s policy (1, 2, …)';

-- Versions replaced or withdrawn: history's own columns first, then the policy's
-- (copied by column name, as districts_history is).
CREATE TABLE idle_policy_history (
  sys_to       timestamptz NOT NULL,
  closed_by    text NOT NULL,
  close_reason text,
  withdrawn    boolean NOT NULL,
  LIKE idle_policy,
  PRIMARY KEY (xzqdm, version)
);

-- The policy as known at an earlier time: by district and date, as the current table.
CREATE INDEX idle_policy_history_lookup ON idle_policy_history (xzqdm, valid_from);

COMMENT ON TABLE idle_policy_history IS '闲置认定参数历史版本 / replaced or withdrawn versions of the idle policy';

-- +goose Down
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00018 cannot be undone; restore from a backup / 00018 不可回退'; END $$;
-- +goose StatementEnd
