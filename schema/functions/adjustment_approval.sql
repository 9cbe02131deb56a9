-- An adjustment becomes approved only with the preview run at approval
-- (approve_adjustment) on the row, and only if that preview passed or the approval
-- gives the reason it overrides it (issue 14.3). A new adjustment starts as a draft or
-- publicised, never approved.
CREATE OR REPLACE FUNCTION landreg_sys.adjustment_approval() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o   jsonb := NEW.approved_preview;
  m   text := coalesce(o->>'message', '');
  cut integer := position(' / ' IN m);
  zh  text := CASE WHEN cut > 0 THEN left(m, cut - 1) ELSE m END;
  en  text := CASE WHEN cut > 0 THEN substr(m, cut + 3) ELSE m END;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.status NOT IN ('draft', 'publicised') THEN
    RAISE EXCEPTION '新调整方案须为草稿或公示中（不能为 %）/ a new adjustment is a draft or publicised, not %', NEW.status, NEW.status
      USING ERRCODE = 'LRA02', COLUMN = 'status', TABLE = 'adjustments';
  END IF;
  IF NEW.status <> 'approved' OR OLD.status = 'approved' THEN
    RETURN NEW;
  END IF;
  IF o IS NULL THEN
    RAISE EXCEPTION '批准调整方案 % 须先预览（landreg_sys.approve_adjustment）/ approving adjustment % needs its preview: use landreg_sys.approve_adjustment',
      NEW.id, NEW.id USING ERRCODE = 'LRA05', TABLE = 'adjustments';
  END IF;
  IF NOT coalesce((o->>'accepted')::boolean, false) AND NEW.approved_override_reason IS NULL THEN
    RAISE EXCEPTION '调整方案 % 预览未通过（%），批准须说明理由（override_reason）/ adjustment % fails its preview (%); approving it anyway needs a reason (override_reason)',
      NEW.id, zh, NEW.id, en
      USING ERRCODE = 'LRA05', TABLE = 'adjustments', COLUMN = 'approved_override_reason', DETAIL = o::text;
  END IF;
  RETURN NEW;
END
$$;
