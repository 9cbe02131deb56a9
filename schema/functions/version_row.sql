-- Versioning for tables that keep history (block_lines, parcels). The history table
-- holds its own columns first, then exactly the current table's columns in order, so a
-- later ALTER TABLE ... ADD COLUMN on both keeps them aligned.
CREATE OR REPLACE FUNCTION landreg_sys.version_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  eff date;
  adj text;
BEGIN
  -- The legal date is read only when a version needs it: an insert that states valid_from,
  -- created_by and reason (a bulk import, which reads the change context once) reads no
  -- context per row.
  IF TG_OP <> 'INSERT' OR NEW.valid_from IS NULL THEN
    eff := landreg_sys.effective_date();
  END IF;
  -- A version's system time is its transaction's start (now()). A transaction that
  -- started before the one that wrote the current version, and waited for its lock,
  -- would close that version before it began and hide it from the rule check: it must
  -- start again (the server retries serialization failures).
  IF TG_OP <> 'INSERT' AND OLD.sys_from > now() THEN
    RAISE EXCEPTION '% % 已被并发事务修改，请重试 / % % was changed by a concurrent transaction; retry',
      TG_TABLE_NAME, OLD.id, TG_TABLE_NAME, OLD.id USING ERRCODE = '40001';
  END IF;
  -- Only block lines carry an adjustment; reading it by name keeps this trigger generic.
  IF TG_OP <> 'DELETE' AND TG_TABLE_NAME = 'block_lines' THEN
    adj := to_jsonb(NEW)->>'adjustment_id';
  END IF;
  -- A direct editor naming an adjustment on the row edits as of that adjustment's date.
  IF adj IS NOT NULL AND (landreg_sys.context()).effective_date IS NULL
     AND (TG_OP = 'INSERT' OR adj IS DISTINCT FROM to_jsonb(OLD)->>'adjustment_id')
     AND to_regclass('adjustments') IS NOT NULL THEN
    EXECUTE 'SELECT coalesce((SELECT effective_date FROM adjustments WHERE id = $1::bigint), $2)'
      INTO eff USING adj, eff;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    -- Generated columns (area_m2) are not yet computed in NEW, so compare the rest;
    -- geometry by its exact bytes, since jsonb would round coordinates.
    IF (to_jsonb(NEW) - 'area_m2' - 'geom') = (to_jsonb(OLD) - 'area_m2' - 'geom')
       AND ST_AsEWKB(NEW.geom) = ST_AsEWKB(OLD.geom) THEN
      RETURN NULL; -- nothing changed: no new version, no audit row
    END IF;
    IF NEW.id <> OLD.id THEN
      RAISE EXCEPTION '不可修改标识 / id is immutable (% → %)', OLD.id, NEW.id
        USING ERRCODE = 'LR002', COLUMN = 'id', TABLE = TG_TABLE_NAME;
    END IF;
    IF NEW.valid_from IS NOT DISTINCT FROM OLD.valid_from THEN
      NEW.valid_from := greatest(eff, OLD.valid_from);
    END IF;
    IF NEW.valid_from < OLD.valid_from THEN
      RAISE EXCEPTION '新版本生效日期 % 早于上一版本 % / a new version cannot take effect (%) before the version it replaces (%)',
        NEW.valid_from, OLD.valid_from, NEW.valid_from, OLD.valid_from
        USING ERRCODE = 'LR003', COLUMN = 'valid_from', TABLE = TG_TABLE_NAME;
    END IF;
    NEW.version := OLD.version + 1;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    EXECUTE format('INSERT INTO %I.%I SELECT $1, $2, false, $3, $4, ($5).*',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history')
      USING NEW.valid_from, now(), landreg_sys.actor(), landreg_sys.reason(), OLD;
    RETURN NEW;
  ELSIF TG_OP = 'DELETE' THEN
    -- A delete retires the row: its last version goes to history with its end.
    EXECUTE format('INSERT INTO %I.%I SELECT $1, $2, true, $3, $4, ($5).*',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history')
      USING greatest(eff, OLD.valid_from), now(), landreg_sys.actor(), landreg_sys.reason(), OLD;
    RETURN OLD;
  ELSE -- INSERT
    NEW.version := 1;
    NEW.sys_from := now();
    NEW.created_by := coalesce(NEW.created_by, landreg_sys.actor());
    NEW.reason := coalesce(NEW.reason, landreg_sys.reason());
    NEW.valid_from := coalesce(NEW.valid_from, eff);
    RETURN NEW;
  END IF;
END
$$;

ALTER FUNCTION landreg_sys.version_row() SECURITY DEFINER SET search_path = public, pg_temp;
