-- Event validation, in addition to the existence check of 00001 (which fires first:
-- triggers run in name order, "check" < "validate"). SQLSTATEs: 23514 unknown type (the
-- foreign key to landreg_sys.event_types would refuse it too), LRE01 date in the
-- future, LRE02 bad value, LRE03 missing required key, LRE04 supersedes an event of
-- another parcel, LRE05 corrects an event already corrected. The legal limits that read
-- other rows (extensions, recoveries, fee payments) are landreg_sys.parcel_event_rules,
-- which runs after this (LRE07). Nothing is corrected
-- silently: a bad event is refused whole.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_event_validate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- Legal dates are Asia/Shanghai civil dates; a fact cannot be recorded before it
  -- happens. Deliberately not landreg.effective_date: that setting back-dates register
  -- edits and must not open a door to future-dated facts.
  today date := landreg_sys.today();
  et landreg_sys.event_types%ROWTYPE;
  bad record;
  req text;
  v text;
BEGIN
  SELECT * INTO et FROM landreg_sys.event_types WHERE code = NEW.type;
  IF NOT FOUND THEN
    RAISE EXCEPTION '未知的事件类型 % / unknown event type %', NEW.type, NEW.type
      USING ERRCODE = 'check_violation', COLUMN = 'type', TABLE = 'parcel_events',
            HINT = 'landreg_sys.event_types 列出事件类型 / landreg_sys.event_types lists the event types';
  END IF;
  IF NEW.event_date > today THEN
    RAISE EXCEPTION '事件日期 % 晚于今天 % / event_date % is after today (%, Asia/Shanghai)',
      NEW.event_date, today, NEW.event_date, today
      USING ERRCODE = 'LRE01', COLUMN = 'event_date', TABLE = 'parcel_events';
  END IF;

  -- Money, quantities and ratios: finite numbers within landreg_sys.value_bounds.
  -- A key the table does not know may hold any finite number within ±1e12.
  SELECT j.key, j.value, coalesce(b.min, -1e12) AS min, coalesce(b.max, 1e12) AS max, coalesce(b.unit, '') AS unit INTO bad
  FROM jsonb_each(NEW.payload) j
  LEFT JOIN landreg_sys.value_bounds b ON b.tbl = 'parcel_events' AND b.field = j.key
  WHERE CASE WHEN b.field IS NULL THEN jsonb_typeof(j.value) = 'number' AND abs((j.value)::numeric) > 1e12
             WHEN jsonb_typeof(j.value) = 'number' THEN (j.value)::numeric NOT BETWEEN b.min AND b.max
                  OR (b.min_exclusive AND (j.value)::numeric = b.min)
                  OR (b.field IN ('year', 'employees') AND (j.value)::numeric <> trunc((j.value)::numeric))
             ELSE true END
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '%', format('事件 %1$s 的 %2$s 必须是 %3$s 到 %4$s%5$s 之间的数值（实为 %6$s） / %2$s of a %1$s event must be a number from %3$s to %4$s%5$s (got %6$s)',
      NEW.type, bad.key, bad.min, bad.max, CASE WHEN bad.unit <> '' THEN ' ' || bad.unit ELSE '' END, bad.value)
      USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events',
            DETAIL = json_build_object('field', 'payload.' || bad.key, 'min', bad.min, 'max', bad.max)::text;
  END IF;

  -- Keys the status function depends on.
  req := et.required_key;
  IF req IS NOT NULL AND coalesce(jsonb_typeof(NEW.payload -> req), 'null') = 'null' THEN
    RAISE EXCEPTION '事件 % 缺少必填项 % / a % event needs payload key %', NEW.type, req, NEW.type, req
      USING ERRCODE = 'LRE03', COLUMN = 'payload', TABLE = 'parcel_events';
  END IF;
  IF NEW.type = 'ANNUAL_INDICATORS' THEN
    v := NEW.payload ->> 'year';
    IF jsonb_typeof(NEW.payload -> 'year') <> 'number' OR v !~ '^[0-9]{4}$'
       OR v::int > extract(year FROM NEW.event_date) THEN
      RAISE EXCEPTION '年度指标的 year 必须是不晚于事件日期的四位年份（实为 %） / year of ANNUAL_INDICATORS must be a four-digit year not after the event date (got %)',
        NEW.payload -> 'year', NEW.payload -> 'year'
        USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
    END IF;
  ELSIF NEW.type = 'RAMPUP_REVIEWED' THEN
    IF jsonb_typeof(NEW.payload -> 'passed') <> 'boolean' THEN
      RAISE EXCEPTION '达产复核的 passed 必须是 true 或 false（实为 %） / passed of RAMPUP_REVIEWED must be true or false (got %)',
        NEW.payload -> 'passed', NEW.payload -> 'passed'
        USING ERRCODE = 'LRE02', COLUMN = 'payload.passed', TABLE = 'parcel_events';
    END IF;
  ELSIF NEW.type IN ('EXTENSION_APPROVED', 'GOV_CAUSE') THEN
    -- Dates in the payload must be real dates; GOV_CAUSE.to may be null (ongoing).
    FOREACH req IN ARRAY CASE NEW.type WHEN 'GOV_CAUSE' THEN ARRAY['from', 'to'] ELSE ARRAY['new_start_deadline'] END LOOP
      CONTINUE WHEN jsonb_typeof(NEW.payload -> req) IS NULL OR jsonb_typeof(NEW.payload -> req) = 'null';
      v := NEW.payload ->> req;
      BEGIN
        IF jsonb_typeof(NEW.payload -> req) <> 'string' OR v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
          RAISE invalid_datetime_format;
        END IF;
        PERFORM v::date;
      EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
        RAISE EXCEPTION '事件 % 的 % 必须是 YYYY-MM-DD 日期（实为 %） / % of a % event must be a YYYY-MM-DD date (got %)',
          NEW.type, req, NEW.payload -> req, req, NEW.type, NEW.payload -> req
          USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
      END;
    END LOOP;
    IF (NEW.payload ->> 'to')::date < (NEW.payload ->> 'from')::date THEN
      RAISE EXCEPTION '政府原因的结束日期 % 早于开始日期 % / GOV_CAUSE to (%) is before from (%)',
        NEW.payload ->> 'to', NEW.payload ->> 'from', NEW.payload ->> 'to', NEW.payload ->> 'from'
        USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
    END IF;
  END IF;

  IF NEW.supersedes IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM parcel_events WHERE id = NEW.supersedes AND parcel_id = NEW.parcel_id) THEN
      RAISE EXCEPTION '更正事件只能替代同一宗地的事件（事件 % 不属于宗地 %） / supersedes must name an event of the same parcel (event % is not of parcel %)',
        NEW.supersedes, NEW.parcel_id, NEW.supersedes, NEW.parcel_id
        USING ERRCODE = 'LRE04', COLUMN = 'supersedes', TABLE = 'parcel_events';
    END IF;
    -- An event is corrected once; corrections of one event queue on its lock, so the
    -- second sees the first and is told which event to correct instead (the unique index
    -- parcel_events_supersedes holds even without this).
    PERFORM pg_advisory_xact_lock(hashtext('landreg.event_correction'), hashtext(NEW.supersedes::text));
    SELECT id INTO bad FROM parcel_events WHERE supersedes = NEW.supersedes;
    IF FOUND THEN
      RAISE EXCEPTION '事件 % 已被事件 % 更正，请更正最新的事件 % / event % was already corrected by event %; correct the latest, event %',
        NEW.supersedes, bad.id, bad.id, NEW.supersedes, bad.id, bad.id
        USING ERRCODE = 'LRE05', COLUMN = 'supersedes', TABLE = 'parcel_events';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
