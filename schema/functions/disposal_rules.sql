-- The legal order of the disposal of idle land (闲置土地处置, 53号令 art. 9–14, domain.md
-- §2.1 procedure; docs/decisions.md "Disposal of idle land as a procedure (issue 15)"),
-- after parcel_event_rules (trigger parcel_events_validate_rules_disposal; triggers run
-- in name order). A procedure is opened by an IDLE_NOTICE and closed by a decision
-- (EXTENSION_APPROVED, DISPOSED, RECOVERY_DECIDED) dated on or after it; the parcel's
-- current events dated by the new event's date count, without the one it corrects.
-- SQLSTATE LRE08 (problem type disposal-precondition):
--  * IDLE_DETERMINED needs an open procedure: a survey notice on or before its date
--    that no decision has closed (art. 10–11);
--  * IDLE_FEE_LEVIED needs a determination in the open procedure, and the parcel idle a
--    full year of the holder's making on the fee date (IDLE_1Y, IDLE_2Y, IDLE_STALLED;
--    not IDLE_GOV, which pays no fee) as the register knows it now (art. 14);
--  * DISPOSED and an uncompensated RECOVERY_DECIDED (无偿收回: two years idle, checked
--    by parcel_event_rules) need a determination in the open procedure; an extension and
--    a compensated recovery need one only while a procedure is open: without a notice
--    they are a contract's extension before the land is idle, or a recovery for other
--    ends (收储), and are accepted.
-- DISPOSED's payload.decision, when given, is a decision a DISPOSED records (LRE02).
CREATE OR REPLACE FUNCTION landreg_sys.disposal_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  notice date;
  det date;
  decided date;
  st record;
  needs boolean;
  v text := NEW.payload ->> 'decision';
BEGIN
  IF NEW.type = 'DISPOSED' AND NEW.payload ? 'decision' THEN
    IF jsonb_typeof(NEW.payload -> 'decision') IS DISTINCT FROM 'string' OR NOT EXISTS (
         SELECT FROM landreg_sys.disposal_decisions d WHERE d.code = v AND d.event_type <> 'RECOVERY_DECIDED') THEN
      RAISE EXCEPTION '处置的 payload.decision 须为 % 之一（实为 %；收回请记为 RECOVERY_DECIDED） / payload.decision of DISPOSED must be one of % (got %; a recovery is a RECOVERY_DECIDED)',
        (SELECT string_agg(code || ' ' || zh, '、' ORDER BY ord) FROM landreg_sys.disposal_decisions WHERE event_type <> 'RECOVERY_DECIDED'),
        NEW.payload -> 'decision',
        (SELECT string_agg(code, ', ' ORDER BY ord) FROM landreg_sys.disposal_decisions WHERE event_type <> 'RECOVERY_DECIDED'),
        NEW.payload -> 'decision'
        USING ERRCODE = 'LRE02', COLUMN = 'payload.decision', TABLE = 'parcel_events';
    END IF;
  END IF;

  WITH e AS (
    SELECT x.type, x.event_date FROM parcel_events x
    WHERE x.parcel_id = NEW.parcel_id AND x.event_date <= NEW.event_date
      AND x.type IN ('IDLE_NOTICE', 'IDLE_DETERMINED', 'EXTENSION_APPROVED', 'DISPOSED', 'RECOVERY_DECIDED')
      AND x.id IS DISTINCT FROM NEW.supersedes
      AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id)
  ), n AS (SELECT max(e.event_date) AS d FROM e WHERE e.type = 'IDLE_NOTICE')
  SELECT n.d,
    (SELECT max(e.event_date) FROM e WHERE e.type = 'IDLE_DETERMINED' AND e.event_date >= n.d),
    (SELECT max(e.event_date) FROM e WHERE e.type IN ('EXTENSION_APPROVED', 'DISPOSED', 'RECOVERY_DECIDED') AND e.event_date >= n.d)
  INTO notice, det, decided FROM n;

  IF NEW.type = 'IDLE_DETERMINED' THEN
    IF notice IS NULL OR decided IS NOT NULL THEN
      RAISE EXCEPTION '%', format('闲置土地认定须先发出调查通知书（53号令第九至十一条）：宗地 %1$s 截至 %2$s 没有未结的闲置土地调查通知书%3$s / a determination of idle land needs a survey notice first (53号令 art. 9–11): parcel %1$s has no open survey notice by %2$s%4$s',
        NEW.parcel_id, NEW.event_date,
        CASE WHEN decided IS NOT NULL THEN format('（%s 的通知已由 %s 的处置决定结案）', notice, decided) ELSE '' END,
        CASE WHEN decided IS NOT NULL THEN format(' (the notice of %s was closed by the decision of %s)', notice, decided) ELSE '' END)
        USING ERRCODE = 'LRE08', COLUMN = 'event_date', TABLE = 'parcel_events';
    END IF;
    RETURN NEW;
  END IF;

  needs := NEW.type IN ('IDLE_FEE_LEVIED', 'DISPOSED')
    OR (NEW.type = 'RECOVERY_DECIDED' AND NEW.payload ->> 'basis' = 'UNCOMPENSATED')
    OR (notice IS NOT NULL AND decided IS NULL);
  IF needs AND (notice IS NULL OR decided IS NOT NULL OR det IS NULL) THEN
    RAISE EXCEPTION '%', format('%1$s须在闲置土地认定之后（53号令第十一至十四条）：宗地 %2$s 截至 %3$s %4$s / %5$s needs a determination of idle land first (53号令 art. 11–14): parcel %2$s by %3$s %6$s',
      CASE NEW.type WHEN 'IDLE_FEE_LEVIED' THEN '征缴土地闲置费' ELSE '处置决定' END, NEW.parcel_id, NEW.event_date,
      CASE WHEN notice IS NULL OR decided IS NOT NULL THEN '没有未结的调查通知书和认定书' ELSE format('有 %s 的调查通知书，但没有其后的认定书', notice) END,
      CASE NEW.type WHEN 'IDLE_FEE_LEVIED' THEN 'an idle-land fee' ELSE 'a disposal decision' END,
      CASE WHEN notice IS NULL OR decided IS NOT NULL THEN 'has no open survey notice and determination'
           ELSE format('has the survey notice of %s but no determination after it', notice) END)
      USING ERRCODE = 'LRE08', COLUMN = CASE WHEN notice IS NULL OR decided IS NOT NULL THEN 'type' ELSE 'event_date' END,
            TABLE = 'parcel_events';
  END IF;

  IF NEW.type = 'IDLE_FEE_LEVIED' THEN
    -- As parcel_event_rules: as known at a time, one generic plan.
    SELECT s.category, s.since INTO st FROM landreg_sys.idle_core(NEW.event_date, 'infinity', NULL, NEW.parcel_id) s;
    IF st.category IS NULL OR st.category NOT IN ('IDLE_1Y', 'IDLE_2Y', 'IDLE_STALLED') THEN
      RAISE EXCEPTION '征缴土地闲置费仅适用于企业原因闲置满一年的土地（53号令第十四条；政府原因不征）：宗地 % 于 % 的状态为 % / an idle-land fee is levied only on land idle a full year of the holder''s making (53号令 art. 14; none for a government cause): parcel % is % on %',
        NEW.parcel_id, NEW.event_date, coalesce(landreg_sys.idle_category_zh(st.category), '无'),
        NEW.parcel_id, coalesce(st.category, 'without a status'), NEW.event_date
        USING ERRCODE = 'LRE08', COLUMN = CASE WHEN st.category = 'IDLE_GOV' THEN 'type' ELSE 'event_date' END,
              TABLE = 'parcel_events';
    END IF;
  END IF;
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.disposal_rules() SECURITY DEFINER SET search_path = public, pg_temp
  SET jit = off SET datestyle = 'ISO, YMD' SET plan_cache_mode = force_generic_plan;
