-- +goose Up
-- The disposal of idle land as a tracked procedure (闲置土地处置, issue 15 item 6,
-- domain.md §2.1 procedure, §7.1, §8.6 rulings 9, 10, 14). The procedure is the parcel's
-- events (IDLE_NOTICE → IDLE_DETERMINED → IDLE_FEE_LEVIED / IDLE_FEE_PAID → a decision:
-- EXTENSION_APPROVED, DISPOSED, RECOVERY_DECIDED): no table of its own, so nothing can
-- disagree with the events. This migration adds:
--  * the periods the bureau sets for each step, as settings of the district's idle
--    policy (versioned with it, ruling 13), bounded like every other setting;
--  * the decision kinds (处置方式) and the steps of the procedure as vocabulary.
-- The preconditions are landreg_sys.disposal_rules (schema/functions), the ledger
-- landreg_sys.disposal_ledger.

-- Days from the day the parcel became idle to the survey notice (53号令 art. 9: 30 days
-- from discovery; the register discovers it the day it becomes idle), from the notice
-- to the determination (art. 10 gives the holder 30 days to answer; 60 [I]), from the
-- determination to the decision (the fee decision or the approved disposal plan, art.
-- 13–14; 90 [I]), and from a fee decision to its payment (art. 17: 30 days).
ALTER TABLE idle_policy
  ADD COLUMN notice_days        integer NOT NULL DEFAULT 30 CHECK (notice_days BETWEEN 1 AND 3650),
  ADD COLUMN determination_days integer NOT NULL DEFAULT 60 CHECK (determination_days BETWEEN 1 AND 3650),
  ADD COLUMN decision_days      integer NOT NULL DEFAULT 90 CHECK (decision_days BETWEEN 1 AND 3650),
  ADD COLUMN fee_payment_days   integer NOT NULL DEFAULT 30 CHECK (fee_payment_days BETWEEN 1 AND 3650);
-- History rows are copied by column name (idle_policy_version): the same columns. A
-- version replaced before this migration was in force with the defaults.
ALTER TABLE idle_policy_history
  ADD COLUMN notice_days        integer NOT NULL DEFAULT 30,
  ADD COLUMN determination_days integer NOT NULL DEFAULT 60,
  ADD COLUMN decision_days      integer NOT NULL DEFAULT 90,
  ADD COLUMN fee_payment_days   integer NOT NULL DEFAULT 30;
COMMENT ON COLUMN idle_policy.notice_days IS '闲置后发出调查通知书期限（日） / days from becoming idle to the survey notice';
COMMENT ON COLUMN idle_policy.determination_days IS '调查通知至认定期限（日） / days from the survey notice to the determination';
COMMENT ON COLUMN idle_policy.decision_days IS '认定至处置决定期限（日） / days from the determination to the decision';
COMMENT ON COLUMN idle_policy.fee_payment_days IS '闲置费缴纳期限（日） / days from the fee decision to its payment';

INSERT INTO landreg_sys.value_bounds (tbl, field, min, max, min_exclusive, unit) VALUES
  ('idle_policy', 'notice_days', 1, 3650, false, '日'),
  ('idle_policy', 'determination_days', 1, 3650, false, '日'),
  ('idle_policy', 'decision_days', 1, 3650, false, '日'),
  ('idle_policy', 'fee_payment_days', 1, 3650, false, '日');

-- The decision that ends a procedure (处置决定, 53号令 art. 12, 14): which event records
-- it. A DISPOSED names its kind in payload.decision, or its method text says it.
CREATE TABLE landreg_sys.disposal_decisions (
  code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
  zh         text NOT NULL UNIQUE CHECK (zh <> ''),
  en         text NOT NULL CHECK (en <> ''),
  event_type text NOT NULL REFERENCES landreg_sys.event_types
             CHECK (event_type IN ('EXTENSION_APPROVED', 'DISPOSED', 'RECOVERY_DECIDED')),
  ord        smallint NOT NULL UNIQUE
);
COMMENT ON TABLE landreg_sys.disposal_decisions IS '闲置土地处置决定 / decisions that dispose of idle land';
INSERT INTO landreg_sys.disposal_decisions (code, zh, en, event_type, ord) VALUES
  ('EXTEND',        '延长动工期限', 'start deadline extended', 'EXTENSION_APPROVED', 1),
  ('CHANGE_USE',    '改变用途',     'use or planning conditions changed', 'DISPOSED', 2),
  ('TEMPORARY_USE', '临时使用',     'temporary use', 'DISPOSED', 3),
  ('SWAP',          '置换',         'land swapped', 'DISPOSED', 4),
  ('OTHER',         '其他处置',     'other disposal', 'DISPOSED', 5),
  ('COMPENSATED',   '协议有偿收回', 'recovered by agreement with compensation', 'RECOVERY_DECIDED', 6),
  ('UNCOMPENSATED', '无偿收回',     'recovered without compensation', 'RECOVERY_DECIDED', 7);

-- The steps of the procedure a parcel waits for (the ledger's next step).
CREATE TABLE landreg_sys.disposal_steps (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
  zh   text NOT NULL UNIQUE CHECK (zh <> ''),
  en   text NOT NULL CHECK (en <> ''),
  ord  smallint NOT NULL UNIQUE
);
COMMENT ON TABLE landreg_sys.disposal_steps IS '闲置土地处置待办步骤 / the next step of an idle-land procedure';
INSERT INTO landreg_sys.disposal_steps (code, zh, en, ord) VALUES
  ('NOTICE',        '发出闲置土地调查通知书', 'serve the survey notice', 1),
  ('DETERMINATION', '下达闲置土地认定书',     'issue the determination', 2),
  ('DECISION',      '作出处置决定',           'decide the disposal (fee, extension, change of use, swap or recovery)', 3),
  ('FEE_PAYMENT',   '缴纳土地闲置费',         'collect the idle-land fee', 4),
  ('RECOVERY',      '报批无偿收回',           'seek approval to recover without compensation', 5);

-- The map colours of the remediation statuses (issue 15 item 7): the style of the
-- remediation layer and the map read them, as the idle categories' (00014).
ALTER TABLE landreg_sys.remediation_statuses ADD COLUMN colour text CHECK (colour ~ '^#[0-9a-f]{6}$');
UPDATE landreg_sys.remediation_statuses SET colour = CASE code
  WHEN '列入清单' THEN '#8e44ad' WHEN '制定方案' THEN '#2471a3' WHEN '整治中' THEN '#d68910'
  WHEN '达标销号' THEN '#1e8449' WHEN '关停退出' THEN '#566573' END;
ALTER TABLE landreg_sys.remediation_statuses ALTER COLUMN colour SET NOT NULL;

-- +goose Down
ALTER TABLE landreg_sys.remediation_statuses DROP COLUMN colour;
ALTER TABLE idle_policy DROP COLUMN notice_days, DROP COLUMN determination_days, DROP COLUMN decision_days,
  DROP COLUMN fee_payment_days;
ALTER TABLE idle_policy_history DROP COLUMN notice_days, DROP COLUMN determination_days, DROP COLUMN decision_days,
  DROP COLUMN fee_payment_days;
DELETE FROM landreg_sys.value_bounds WHERE tbl = 'idle_policy'
  AND field IN ('notice_days', 'determination_days', 'decision_days', 'fee_payment_days');
DROP TABLE landreg_sys.disposal_decisions;
DROP TABLE landreg_sys.disposal_steps;
