-- Event validation, in addition to the existence check of 00001 (which fires first:
-- triggers run in name order, "check" < "validate"). SQLSTATEs: LRE01 date in the
-- future, LRE02 bad value, LRE03 missing required key, LRE04 supersedes an event of
-- another parcel. Nothing is corrected silently: a bad event is refused whole.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_event_validate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- Legal dates are Asia/Shanghai civil dates; a fact cannot be recorded before it
  -- happens. Deliberately not landreg.effective_date: that setting back-dates register
  -- edits and must not open a door to future-dated facts.
  today date := landreg_sys.today();
  bad record;
  req text;
  v text;
BEGIN
  IF NEW.event_date > today THEN
    RAISE EXCEPTION '事件日期 % 晚于今天 % / event_date % is after today (%, Asia/Shanghai)',
      NEW.event_date, today, NEW.event_date, today
      USING ERRCODE = 'LRE01', COLUMN = 'event_date', TABLE = 'parcel_events';
  END IF;

  -- Money and quantities: non-negative numbers; ratios: numbers in [0, 1].
  IF NEW.payload ?| ARRAY['tax_wan', 'va_wan', 'rd_wan', 'revenue_wan', 'amount_wan', 'energy_tce',
                          'emission_t', 'employees', 'land_mu_used', 'floor_area_m2', 'unused_area_m2',
                          'far', 'coverage', 'developed_land_ratio', 'invested_ratio', 'year'] THEN
    SELECT j.key, j.value, r.is_ratio INTO bad
    FROM jsonb_each(NEW.payload) j
    JOIN (VALUES ('tax_wan', false), ('va_wan', false), ('rd_wan', false), ('revenue_wan', false),
                 ('amount_wan', false), ('energy_tce', false), ('emission_t', false), ('employees', false),
                 ('land_mu_used', false), ('floor_area_m2', false), ('unused_area_m2', false), ('far', false),
                 ('coverage', true), ('developed_land_ratio', true), ('invested_ratio', true)) r(key, is_ratio)
      ON r.key = j.key
    WHERE jsonb_typeof(j.value) IS DISTINCT FROM 'number'
       OR (j.value)::numeric < 0
       OR (r.is_ratio AND (j.value)::numeric > 1)
    LIMIT 1;
    IF FOUND THEN
      IF bad.is_ratio THEN
        RAISE EXCEPTION '事件 % 的 % 必须是 0 到 1 之间的数值（实为 %） / % of a % event must be a number between 0 and 1 (got %)',
          NEW.type, bad.key, bad.value, bad.key, NEW.type, bad.value
          USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
      END IF;
      RAISE EXCEPTION '事件 % 的 % 必须是非负数值（实为 %） / % of a % event must be a non-negative number (got %)',
        NEW.type, bad.key, bad.value, bad.key, NEW.type, bad.value
        USING ERRCODE = 'LRE02', COLUMN = 'payload', TABLE = 'parcel_events';
    END IF;
  END IF;

  -- Keys the status function depends on.
  req := CASE NEW.type WHEN 'EXTENSION_APPROVED' THEN 'new_start_deadline'
                       WHEN 'ANNUAL_INDICATORS' THEN 'year'
                       WHEN 'GOV_CAUSE' THEN 'from' END;
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

  IF NEW.supersedes IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM parcel_events WHERE id = NEW.supersedes AND parcel_id = NEW.parcel_id) THEN
    RAISE EXCEPTION '更正事件只能替代同一宗地的事件（事件 % 不属于宗地 %） / supersedes must name an event of the same parcel (event % is not of parcel %)',
      NEW.supersedes, NEW.parcel_id, NEW.supersedes, NEW.parcel_id
      USING ERRCODE = 'LRE04', COLUMN = 'supersedes', TABLE = 'parcel_events';
  END IF;
  RETURN NEW;
END
$$;
