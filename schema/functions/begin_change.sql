-- The server and the CLI state who makes the change of this transaction, why, and as of
-- which legal date (NULL: the day of the commit). Only the owner role may execute it
-- (schema/grants.sql): a planner's login cannot name another actor or another date.
CREATE OR REPLACE FUNCTION landreg_sys.begin_change(who text, why text, eff date) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(btrim(who), '') = '' THEN
    RAISE EXCEPTION '缺少操作人 / a change needs an actor' USING ERRCODE = 'LR001';
  END IF;
  IF eff IS NOT NULL AND NOT isfinite(eff) THEN
    RAISE EXCEPTION '生效日期无效 / invalid effective date: %', eff USING ERRCODE = 'LR001';
  END IF;
  PERFORM landreg_sys.forget_finished_contexts();
  INSERT INTO landreg_sys.change_context (xid, actor, reason, effective_date, trusted)
  VALUES (pg_current_xact_id(), who, nullif(why, ''), eff, true)
  ON CONFLICT (xid) DO UPDATE SET actor = EXCLUDED.actor, reason = EXCLUDED.reason,
    effective_date = EXCLUDED.effective_date, trusted = true;
END
$$;
