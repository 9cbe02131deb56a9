-- The legal limits of events that depend on the parcel's other records (issue 14,
-- domain.md §8.6 rulings 9 and 10), after parcel_event_validate has checked the values
-- (trigger parcel_events_validate_rules; triggers run in name order). SQLSTATE LRE07,
-- the field named as payload.<key>:
--  * EXTENSION_APPROVED may move the start deadline by at most one year (53号令 art. 12):
--    new_start_deadline ≤ the original deadline (agreed start, else delivery + 1 year)
--    + 1 year. Counted from the original deadline, so that successive extensions cannot
--    add up to more; without an original deadline there is nothing to extend from and
--    the event is accepted.
--  * RECOVERY_DECIDED names its basis (landreg_sys.recovery_bases): UNCOMPENSATED
--    (无偿收回) only when the parcel is 闲置满两年 of the holder's making on the decision
--    date (IDLE_2Y, or IDLE_STALLED with the suspension two years old), as the register
--    knows it now; COMPENSATED (协议有偿收回) carries compensation_wan.
--  * IDLE_FEE_PAID cannot pay more than was levied (IDLE_FEE_LEVIED) by its date.
-- A correction (supersedes) is judged without the event it replaces.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_event_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  orig date;
  latest date;
  basis text;
  known timestamptz := 'infinity';
  st record;
  levied numeric;
  paid numeric;
BEGIN
  IF NEW.type = 'EXTENSION_APPROVED' THEN
    SELECT landreg_sys.start_deadline(p.agreed_start, NULL,
      (SELECT min(x.event_date) FROM parcel_events x
       WHERE x.parcel_id = NEW.parcel_id AND x.type = 'LAND_DELIVERED'
         AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id)))
    INTO orig FROM parcels p WHERE p.id = NEW.parcel_id;
    latest := landreg_sys.years_after(orig, 1);
    IF (NEW.payload ->> 'new_start_deadline')::date > latest THEN
      RAISE EXCEPTION '延长开工期限最长一年（53号令第十二条）：payload.new_start_deadline % 晚于原开工期限 % 后一年（%） / an extension may move the start deadline by at most one year (53号令 art. 12): payload.new_start_deadline % is after the original deadline % plus one year (%)',
        NEW.payload ->> 'new_start_deadline', orig, latest, NEW.payload ->> 'new_start_deadline', orig, latest
        USING ERRCODE = 'LRE07', COLUMN = 'payload.new_start_deadline', TABLE = 'parcel_events';
    END IF;

  ELSIF NEW.type = 'RECOVERY_DECIDED' THEN
    basis := NEW.payload ->> 'basis';
    IF jsonb_typeof(NEW.payload -> 'basis') IS DISTINCT FROM 'string'
       OR NOT EXISTS (SELECT 1 FROM landreg_sys.recovery_bases b WHERE b.code = basis) THEN
      RAISE EXCEPTION '收回决定的 payload.basis 须为 % 之一（实为 %） / payload.basis of RECOVERY_DECIDED must be one of % (got %)',
        (SELECT string_agg(code || ' ' || zh, '、' ORDER BY code) FROM landreg_sys.recovery_bases), NEW.payload -> 'basis',
        (SELECT string_agg(code, ', ' ORDER BY code) FROM landreg_sys.recovery_bases), NEW.payload -> 'basis'
        USING ERRCODE = 'LRE07', COLUMN = 'payload.basis', TABLE = 'parcel_events';
    END IF;
    IF basis = 'COMPENSATED' AND jsonb_typeof(NEW.payload -> 'compensation_wan') IS DISTINCT FROM 'number' THEN
      RAISE EXCEPTION '协议有偿收回须写明补偿金额 payload.compensation_wan（万元） / a recovery with compensation needs payload.compensation_wan (10k CNY)'
        USING ERRCODE = 'LRE07', COLUMN = 'payload.compensation_wan', TABLE = 'parcel_events';
    END IF;
    IF basis = 'UNCOMPENSATED' THEN
      IF coalesce((NEW.payload ->> 'compensation_wan')::numeric, 0) <> 0 THEN
        RAISE EXCEPTION '无偿收回不能有补偿金额 payload.compensation_wan / a recovery without compensation cannot carry payload.compensation_wan'
          USING ERRCODE = 'LRE07', COLUMN = 'payload.compensation_wan', TABLE = 'parcel_events';
      END IF;
      -- A correction of a recovery is judged on the register as it was before the
      -- recovery it replaces was recorded (otherwise that recovery retires the parcel).
      SELECT x.recorded_at - interval '1 microsecond' INTO known
      FROM parcel_events x WHERE x.id = NEW.supersedes AND x.type = 'RECOVERY_DECIDED';
      -- As known at a time, so that the events recorded earlier in this statement
      -- count (the digest is brought up to date after the statement). One generic plan
      -- (plan_cache_mode below): idle_core reaches one parcel's events and holder by
      -- index whatever its arguments, and planning it per row cost more than running it.
      SELECT s.category, s.since INTO st
      FROM landreg_sys.idle_core(NEW.event_date, coalesce(known, 'infinity'), NULL, NEW.parcel_id) s;
      IF st.category IS NULL OR NOT (st.category = 'IDLE_2Y'
                           OR (st.category = 'IDLE_STALLED' AND NEW.event_date >= landreg_sys.years_after(st.since, 1))) THEN
        RAISE EXCEPTION '无偿收回仅适用于企业原因闲置满两年的土地（53号令第十四条），宗地 % 于 % 的状态为 %；请改为 COMPENSATED（协议有偿收回）并写明 compensation_wan / payload.basis UNCOMPENSATED is lawful only for land idle two years of the holder''s making (53号令 art. 14); parcel % is % on %: use COMPENSATED with compensation_wan',
          NEW.parcel_id, NEW.event_date, coalesce(landreg_sys.idle_category_zh(st.category), '无'),
          NEW.parcel_id, coalesce(st.category, 'without a status'), NEW.event_date
          USING ERRCODE = 'LRE07', COLUMN = 'payload.basis', TABLE = 'parcel_events';
      END IF;
    END IF;

  ELSIF NEW.type = 'IDLE_FEE_PAID' THEN
    SELECT coalesce(sum((x.payload ->> 'amount_wan')::numeric) FILTER (WHERE x.type = 'IDLE_FEE_LEVIED'), 0),
           coalesce(sum((x.payload ->> 'amount_wan')::numeric) FILTER (WHERE x.type = 'IDLE_FEE_PAID'), 0)
    INTO levied, paid
    FROM parcel_events x
    WHERE x.parcel_id = NEW.parcel_id AND x.type IN ('IDLE_FEE_LEVIED', 'IDLE_FEE_PAID') AND x.event_date <= NEW.event_date
      AND x.id IS DISTINCT FROM NEW.supersedes
      AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id);
    IF paid + (NEW.payload ->> 'amount_wan')::numeric > levied THEN
      RAISE EXCEPTION '缴纳闲置费 payload.amount_wan % 万元超过截至 % 已征未缴的 % 万元 / payload.amount_wan % of IDLE_FEE_PAID exceeds the % (10k CNY) levied and unpaid by %',
        NEW.payload ->> 'amount_wan', NEW.event_date, levied - paid, NEW.payload ->> 'amount_wan', levied - paid, NEW.event_date
        USING ERRCODE = 'LRE07', COLUMN = 'payload.amount_wan', TABLE = 'parcel_events';
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- jit off and ISO dates, as idle_core's callers must (docs/idle.md).
ALTER FUNCTION landreg_sys.parcel_event_rules() SECURITY DEFINER SET search_path = public, pg_temp
  SET jit = off SET datestyle = 'ISO, YMD' SET plan_cache_mode = force_generic_plan;
