-- Versioning of the idle policy (migration 00018). A row of idle_policy is a version in
-- force from valid_from until the next version's; writing one:
--  * INSERT: a new version, in force from its valid_from, else from the date the
--    owner's code stated in the change context, else (a district's first version) from
--    1900-01-01, as the one unversioned row of a district was, else from today;
--  * UPDATE: replaces the version (a correction): the old row goes to
--    idle_policy_history, closed now, and the new row is the next version number; a
--    second statement of the transaction that wrote a version amends it;
--  * DELETE: withdraws the version (into history, withdrawn).
-- One writer of a district's policy at a time (an advisory lock), so version numbers
-- are dense and a concurrent writer's version is never lost. History rows are written
-- by column name, as districts_history's.
CREATE OR REPLACE FUNCTION landreg_sys.idle_policy_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ctx landreg_sys.change_context := landreg_sys.context();
  eff date := landreg_sys.effective_date();
  stated boolean := coalesce(ctx.trusted AND ctx.effective_date IS NOT NULL, false);
  x text := CASE WHEN TG_OP = 'DELETE' THEN OLD.xzqdm ELSE NEW.xzqdm END;
  cols text;
  next_version integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('landreg.idle_policy'), hashtext(x));
  IF TG_OP <> 'INSERT' THEN
    IF OLD.sys_from > now() THEN
      RAISE EXCEPTION '行政区 % 的闲置认定参数已被并发事务修改，请重试 / the idle policy of district % was changed by a concurrent transaction; retry',
        OLD.xzqdm, OLD.xzqdm USING ERRCODE = '40001';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.xzqdm <> OLD.xzqdm THEN
      RAISE EXCEPTION '闲置认定参数的行政区不可修改 / the district of an idle policy version is immutable (% → %)', OLD.xzqdm, NEW.xzqdm
        USING ERRCODE = 'LR002', COLUMN = 'xzqdm', TABLE = 'idle_policy';
    END IF;
  END IF;
  SELECT coalesce(max(a.version), 0) + 1 INTO next_version FROM idle_policy_all a WHERE a.xzqdm = x;
  IF TG_OP = 'INSERT' THEN
    NEW.valid_from := coalesce(NEW.valid_from, CASE WHEN stated THEN eff END,
      CASE WHEN next_version = 1 THEN DATE '1900-01-01' END, eff);
    NEW.version := next_version;
    NEW.sys_from := now();
    NEW.created_by := landreg_sys.actor();
    NEW.reason := landreg_sys.reason();
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    NEW.version := OLD.version;
    NEW.sys_from := OLD.sys_from;
    NEW.created_by := OLD.created_by;
    NEW.reason := OLD.reason;
    IF to_jsonb(NEW) = to_jsonb(OLD) THEN
      RETURN NULL; -- nothing changed: no new version, no audit row
    END IF;
    IF OLD.sys_from = now() THEN
      -- This transaction wrote the version: the change is still one version.
      NEW.reason := coalesce(landreg_sys.reason(), OLD.reason);
      RETURN NEW;
    END IF;
  END IF;
  SELECT string_agg(quote_ident(h.attname), ', ' ORDER BY h.attnum) INTO cols
  FROM pg_attribute h JOIN pg_attribute p ON p.attrelid = 'idle_policy'::regclass AND p.attname = h.attname
    AND p.attnum > 0 AND NOT p.attisdropped
  WHERE h.attrelid = 'idle_policy_history'::regclass AND h.attnum > 0 AND NOT h.attisdropped;
  EXECUTE format('INSERT INTO idle_policy_history (sys_to, closed_by, close_reason, withdrawn, %1$s)
    SELECT now(), landreg_sys.actor(), landreg_sys.reason(), $1, %1$s FROM (SELECT ($2).*) o', cols)
    USING TG_OP = 'DELETE', OLD;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  NEW.version := next_version;
  NEW.sys_from := now();
  NEW.created_by := landreg_sys.actor();
  NEW.reason := landreg_sys.reason();
  RETURN NEW;
END
$$;

ALTER FUNCTION landreg_sys.idle_policy_version() SECURITY DEFINER SET search_path = public, pg_temp;
