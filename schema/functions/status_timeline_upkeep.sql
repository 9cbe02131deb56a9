-- Statement-level trigger of every table the status reads (schema/triggers): refreshes
-- the status timeline of the parcels the statement's rows touch, once per statement,
-- so a bulk load costs one set-based refresh, and only from the first legal day the
-- rows can change (a status before it reads none of them). By table:
--  * parcel_events: the events' parcels, from the earliest day of the events and of
--    the events they correct; with annual indicators, also the holders' other parcels
--    (the 低效 flag is the holder's verdict);
--  * parcels: the rows' parcels and (status_scope) those sharing a holder with them,
--    from the earliest first day of the versions written (a retirement: of the last);
--  * idle_policy: the district's parcels and their holders', from the earliest
--    effective date written or removed;
--  * enterprise_indicators: the parcels those enterprises ever held, from the earliest
--    day the figures written or removed count from;
--  * districts (a district added or removed): its parcels, every day.
-- TRUNCATE of any of them rebuilds every parcel's.
CREATE OR REPLACE FUNCTION landreg_sys.status_timeline_upkeep() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  ids bigint[];
  keys text[];
  from_day date;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM landreg_sys.refresh_status_timeline(NULL);
    RETURN NULL;
  END IF;
  -- The rows written (new_rows) and removed (old_rows) as (parcel id or key, day):
  -- an INSERT trigger has no old_rows, a DELETE trigger no new_rows.
  CASE TG_TABLE_NAME
  WHEN 'parcel_events' THEN
    -- Only events that bear on the status (a notice, a permit do not).
    SELECT array_agg(DISTINCT n.parcel_id), least(min(n.event_date), min(s.event_date)) INTO ids, from_day
    FROM new_rows n LEFT JOIN parcel_events s ON s.id = n.supersedes
    WHERE landreg_sys.status_kind(n.kind);
    IF EXISTS (SELECT FROM new_rows n WHERE n.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')) THEN
      ids := landreg_sys.status_scope(ids);
    END IF;
  WHEN 'parcels' THEN
    -- A retirement (DELETE) ends the last version: from its first day.
    IF TG_OP = 'DELETE' THEN
      SELECT array_agg(o.id), min(o.valid_from) INTO ids, from_day FROM old_rows o;
    ELSE
      SELECT array_agg(n.id), min(n.valid_from) INTO ids, from_day FROM new_rows n;
    END IF;
    ids := landreg_sys.status_scope(ids);
  WHEN 'idle_policy' THEN
    IF TG_OP <> 'DELETE' THEN
      SELECT array_agg(n.xzqdm), min(n.valid_from) INTO keys, from_day FROM new_rows n;
    END IF;
    IF TG_OP <> 'INSERT' THEN
      SELECT coalesce(keys, '{}') || array_agg(o.xzqdm), least(from_day, min(o.valid_from)) INTO keys, from_day FROM old_rows o;
    END IF;
    ids := landreg_sys.status_scope(ARRAY(SELECT DISTINCT v.id FROM parcels_all v WHERE v.xzqdm = ANY (keys)));
  WHEN 'enterprise_indicators' THEN
    IF TG_OP <> 'DELETE' THEN
      SELECT array_agg(n.uscc), min(landreg_sys.indicators_count_from(n.year, n.reported_on)) INTO keys, from_day
      FROM new_rows n;
    END IF;
    IF TG_OP <> 'INSERT' THEN
      SELECT coalesce(keys, '{}') || array_agg(o.uscc), least(from_day, min(landreg_sys.indicators_count_from(o.year, o.reported_on)))
        INTO keys, from_day FROM old_rows o;
    END IF;
    ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v WHERE v.holder_uscc = ANY (keys));
  ELSE -- districts: every day
    IF TG_OP = 'DELETE' THEN
      keys := ARRAY(SELECT o.xzqdm FROM old_rows o);
    ELSE
      keys := ARRAY(SELECT n.xzqdm FROM new_rows n);
    END IF;
    ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v WHERE v.xzqdm = ANY (keys));
  END CASE;
  IF cardinality(ids) > 0 THEN
    PERFORM landreg_sys.refresh_status_timeline(ids, from_day);
  END IF;
  RETURN NULL;
END
$$;
