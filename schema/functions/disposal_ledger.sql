-- The ledger of idle-land disposal procedures (闲置土地处置台账, issue 15.6; docs/decisions.md
-- "Disposal of idle land as a procedure (issue 15)") as of legal date at_date, as known at
-- known_at (NULL: now), of district x (NULL: every district): one row per parcel idle on
-- at_date or with a survey notice by then. Its procedure is its events since the latest
-- notice (landreg_sys.disposal_rules keeps them in order): the dates of the notice, the
-- determination, the fees and the latest decision (landreg_sys.disposal_decision).
-- A parcel idle again after the decision of its last procedure (an extension run out)
-- waits for a new notice: its row starts afresh (PENDING).
-- The next step is due a number of days (the district's idle policy: notice_days,
-- determination_days, decision_days, fee_payment_days) after the day its period began,
-- by the policy version in force on that day (as known at known_at): a later version
-- does not move a period already running.
--  PENDING → NOTICE from the day the parcel became idle; SURVEY → DETERMINATION from the
--  notice; DETERMINED → DECISION from the determination; FEE → FEE_PAYMENT from the
--  latest levy while levied > paid, else RECOVERY from the day it became 闲置满两年 (or
--  the latest levy, if later); a decision other than a recovery with a fee unpaid →
--  FEE_PAYMENT; otherwise no next step. overdue_days = at_date − next_due when positive.
CREATE OR REPLACE FUNCTION landreg_sys.disposal_ledger(at_date date, known_at timestamptz, x text)
RETURNS TABLE (parcel_id bigint, zddm text, xzqdm text, category text, category_zh text, idle_from date,
  registered_mu double precision, idle_fee_wan numeric, step text, step_zh text, notice_date date,
  determined_date date, fee_levied_date date, fee_levied_wan numeric, fee_paid_wan numeric, fee_paid_date date,
  decision text, decision_zh text, decision_date date, next_step text, next_step_zh text, period_from date,
  period_days integer, policy_version integer, next_due date, overdue_days integer)
LANGUAGE sql STABLE AS $$
WITH s0 AS MATERIALIZED (
  SELECT s.*, CASE WHEN s.category = 'IDLE_STALLED' OR s.deadline IS NULL THEN s.since
                   ELSE landreg_sys.idle_since(s.deadline, 1) END AS idle_from,
    CASE WHEN s.category = 'IDLE_STALLED' OR s.deadline IS NULL THEN landreg_sys.years_after(s.since, 1)
         ELSE landreg_sys.idle_since(s.deadline, 2) END AS idle_2y
  FROM landreg_sys.idle_statuses(at_date, known_at, x) s
),
e AS MATERIALIZED (
  SELECT v.id, v.parcel_id, v.type, v.event_date, v.payload
  FROM parcel_events v
  WHERE v.parcel_id IN (SELECT s0.parcel_id FROM s0) AND v.event_date <= at_date
    AND (known_at IS NULL OR v.recorded_at <= known_at)
    AND v.type IN ('IDLE_NOTICE', 'IDLE_DETERMINED', 'IDLE_FEE_LEVIED', 'IDLE_FEE_PAID', 'EXTENSION_APPROVED',
                   'DISPOSED', 'RECOVERY_DECIDED')
    AND NOT EXISTS (SELECT 1 FROM parcel_events c
                    WHERE c.supersedes = v.id AND (known_at IS NULL OR c.recorded_at <= known_at))
),
n AS (SELECT e.parcel_id, max(e.event_date) AS notice FROM e WHERE e.type = 'IDLE_NOTICE' GROUP BY e.parcel_id),
s AS (
  SELECT s0.*, n.notice FROM s0 LEFT JOIN n ON n.parcel_id = s0.parcel_id
  WHERE s0.category IN ('IDLE_1Y', 'IDLE_2Y', 'IDLE_GOV', 'IDLE_STALLED') OR n.notice IS NOT NULL
),
dec AS (
  SELECT DISTINCT ON (e.parcel_id) e.parcel_id, e.type, e.event_date, landreg_sys.disposal_decision(e.type, e.payload) AS code
  FROM e JOIN n ON n.parcel_id = e.parcel_id AND e.event_date >= n.notice
  WHERE e.type IN ('EXTENSION_APPROVED', 'DISPOSED', 'RECOVERY_DECIDED')
  ORDER BY e.parcel_id, e.event_date DESC, e.id DESC
),
p AS (
  SELECT s.*, dec.type AS dec_type, dec.event_date AS dec_date, dec.code AS dec_code,
    -- Idle again after the decision of the last procedure: a new one is due.
    (s.category IN ('IDLE_1Y', 'IDLE_2Y', 'IDLE_GOV', 'IDLE_STALLED') AND dec.event_date < s.idle_from) AS fresh,
    f.det, f.fee_first, f.fee_last, coalesce(f.levied, 0) AS levied, coalesce(f.paid, 0) AS paid, f.paid_last
  FROM s
  LEFT JOIN dec ON dec.parcel_id = s.parcel_id
  LEFT JOIN LATERAL (
    SELECT max(e.event_date) FILTER (WHERE e.type = 'IDLE_DETERMINED') AS det,
      min(e.event_date) FILTER (WHERE e.type = 'IDLE_FEE_LEVIED') AS fee_first,
      max(e.event_date) FILTER (WHERE e.type = 'IDLE_FEE_LEVIED') AS fee_last,
      sum((e.payload ->> 'amount_wan')::numeric) FILTER (WHERE e.type = 'IDLE_FEE_LEVIED') AS levied,
      sum((e.payload ->> 'amount_wan')::numeric) FILTER (WHERE e.type = 'IDLE_FEE_PAID') AS paid,
      max(e.event_date) FILTER (WHERE e.type = 'IDLE_FEE_PAID') AS paid_last
    FROM e WHERE e.parcel_id = s.parcel_id AND e.event_date >= s.notice) f ON true
),
q AS (
  SELECT p.*, st.step, nx.next_step, nx.period_from
  FROM p
  CROSS JOIN LATERAL (SELECT CASE
      WHEN p.notice IS NULL OR p.fresh THEN 'PENDING'
      WHEN p.dec_code IN ('COMPENSATED', 'UNCOMPENSATED') THEN 'RECOVERED'
      WHEN p.dec_type = 'EXTENSION_APPROVED' THEN 'EXTENDED'
      WHEN p.dec_code = 'SWAP' THEN 'SWAPPED'
      WHEN p.dec_type IS NOT NULL THEN 'DISPOSED'
      WHEN p.fee_first IS NOT NULL THEN 'FEE'
      WHEN p.det IS NOT NULL THEN 'DETERMINED'
      ELSE 'SURVEY' END AS step) st
  CROSS JOIN LATERAL (SELECT * FROM (VALUES
      (CASE
        WHEN st.step = 'PENDING' THEN 'NOTICE'
        WHEN st.step = 'SURVEY' THEN 'DETERMINATION'
        WHEN st.step = 'DETERMINED' THEN 'DECISION'
        WHEN st.step <> 'RECOVERED' AND p.paid < p.levied THEN 'FEE_PAYMENT'
        WHEN st.step = 'FEE' AND p.category IN ('IDLE_2Y', 'IDLE_STALLED') AND p.idle_2y <= at_date THEN 'RECOVERY'
       END,
       CASE
        WHEN st.step = 'PENDING' THEN p.idle_from
        WHEN st.step = 'SURVEY' THEN p.notice
        WHEN st.step = 'DETERMINED' THEN p.det
        WHEN st.step <> 'RECOVERED' AND p.paid < p.levied THEN p.fee_last
        WHEN st.step = 'FEE' AND p.category IN ('IDLE_2Y', 'IDLE_STALLED') AND p.idle_2y <= at_date THEN greatest(p.idle_2y, p.fee_last)
       END)) v(next_step, period_from)) nx
),
r AS (
  SELECT q.*, pol.version AS pol_version,
    CASE q.next_step WHEN 'NOTICE' THEN pol.notice_days WHEN 'DETERMINATION' THEN pol.determination_days
      WHEN 'FEE_PAYMENT' THEN pol.fee_payment_days WHEN 'DECISION' THEN pol.decision_days
      WHEN 'RECOVERY' THEN pol.decision_days END AS days
  FROM q
  LEFT JOIN LATERAL (SELECT y.version, y.notice_days, y.determination_days, y.decision_days, y.fee_payment_days
                     FROM landreg_sys.policy(q.xzqdm, q.period_from, known_at) y) pol ON q.next_step IS NOT NULL
)
SELECT r.parcel_id, r.zddm, r.xzqdm, r.category, r.category_zh, r.idle_from,
  landreg_sys.m2_to_mu(r.registered_area_m2::float8), coalesce(r.idle_fee_wan, 0), r.step, ds.zh,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.notice END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.det END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.fee_first END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.levied ELSE 0 END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.paid ELSE 0 END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.paid_last END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.dec_code END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN dd.zh END,
  CASE WHEN NOT r.fresh OR r.fresh IS NULL THEN r.dec_date END,
  r.next_step, nst.zh, r.period_from, r.days, r.pol_version,
  r.period_from + r.days,
  CASE WHEN at_date > r.period_from + r.days THEN at_date - (r.period_from + r.days) ELSE 0 END
FROM r
LEFT JOIN landreg_sys.disposal_stages ds ON ds.code = r.step
LEFT JOIN landreg_sys.disposal_decisions dd ON dd.code = r.dec_code
LEFT JOIN landreg_sys.disposal_steps nst ON nst.code = r.next_step
ORDER BY 26 DESC, r.idle_from NULLS LAST, r.zddm
$$;

-- jit off and ISO dates, as idle_core's callers must (docs/idle.md).
ALTER FUNCTION landreg_sys.disposal_ledger(date, timestamptz, text) SET jit = off SET datestyle = 'ISO, YMD';
