-- Statement-level trigger of every table the status reads (schema/triggers): refreshes
-- the status timeline of the parcels the statement's rows touch, once per statement,
-- so a bulk load costs one set-based refresh. Row sets by table:
--  * parcels: the rows' parcels, and (status_scope) those sharing a holder with them;
--  * parcel_events: the events' parcels, with the holders' other parcels for annual
--    indicators (the holder's verdict);
--  * idle_policy, districts: the parcels of those districts, with their holders';
--  * enterprise_indicators: the parcels those enterprises ever held.
-- TRUNCATE of events rebuilds every parcel's.
CREATE OR REPLACE FUNCTION landreg_sys.status_timeline_upkeep() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  ids bigint[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM landreg_sys.refresh_status_timeline(NULL);
    RETURN NULL;
  END IF;
  CASE TG_TABLE_NAME
  WHEN 'parcels' THEN
    IF TG_OP = 'INSERT' THEN ids := ARRAY(SELECT n.id FROM new_rows n);
    ELSIF TG_OP = 'DELETE' THEN ids := ARRAY(SELECT o.id FROM old_rows o);
    ELSE ids := ARRAY(SELECT n.id FROM new_rows n UNION SELECT o.id FROM old_rows o);
    END IF;
    ids := landreg_sys.status_scope(ids);
  WHEN 'parcel_events' THEN
    ids := ARRAY(SELECT DISTINCT n.parcel_id FROM new_rows n);
    IF EXISTS (SELECT FROM new_rows n WHERE n.kind = landreg_sys.event_kind('ANNUAL_INDICATORS')) THEN
      ids := landreg_sys.status_scope(ids);
    END IF;
  WHEN 'enterprise_indicators' THEN
    IF TG_OP = 'INSERT' THEN ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v WHERE v.holder_uscc IN (SELECT n.uscc FROM new_rows n));
    ELSIF TG_OP = 'DELETE' THEN ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v WHERE v.holder_uscc IN (SELECT o.uscc FROM old_rows o));
    ELSE ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v
                      WHERE v.holder_uscc IN (SELECT n.uscc FROM new_rows n UNION SELECT o.uscc FROM old_rows o));
    END IF;
  ELSE -- idle_policy, districts
    IF TG_OP = 'INSERT' THEN ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v WHERE v.xzqdm IN (SELECT n.xzqdm FROM new_rows n));
    ELSIF TG_OP = 'DELETE' THEN ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v WHERE v.xzqdm IN (SELECT o.xzqdm FROM old_rows o));
    ELSE ids := ARRAY(SELECT DISTINCT v.id FROM parcels_all v
                      WHERE v.xzqdm IN (SELECT n.xzqdm FROM new_rows n UNION SELECT o.xzqdm FROM old_rows o));
    END IF;
    ids := landreg_sys.status_scope(ids);
  END CASE;
  IF cardinality(ids) > 0 THEN
    PERFORM landreg_sys.refresh_status_timeline(ids);
  END IF;
  RETURN NULL;
END
$$;
