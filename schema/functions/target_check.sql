-- A target's unit is its kind's (landreg_sys.target_kinds), stated or filled in; a share
-- is at most 1; supply_method narrows only a supply figure, above_size_only only a 亩均
-- one. Refusals name the field.
CREATE OR REPLACE FUNCTION landreg_sys.target_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k landreg_sys.target_kinds;
BEGIN
  SELECT * INTO k FROM landreg_sys.target_kinds WHERE code = NEW.kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION '未知的目标类型 %（可用：%） / unknown target kind % (one of %)', NEW.kind,
      (SELECT string_agg(code, ', ' ORDER BY ord) FROM landreg_sys.target_kinds), NEW.kind,
      (SELECT string_agg(code, ', ' ORDER BY ord) FROM landreg_sys.target_kinds)
      USING ERRCODE = '23514', COLUMN = 'kind', TABLE = 'targets';
  END IF;
  IF NEW.unit IS NULL OR btrim(NEW.unit) = '' THEN
    NEW.unit := k.unit;
  ELSIF NEW.unit <> k.unit THEN
    RAISE EXCEPTION '目标类型 % 的单位为 %，不是 % / a % target is in %, not %', NEW.kind, k.unit, NEW.unit, NEW.kind, k.unit, NEW.unit
      USING ERRCODE = '23514', COLUMN = 'unit', TABLE = 'targets';
  END IF;
  IF k.unit = 'share' AND NEW.value > 1 THEN
    RAISE EXCEPTION '比例目标须在 0 到 1 之间（30%% 写作 0.3），收到 % / a share target is a fraction from 0 to 1 (30%% is 0.3), got %', NEW.value, NEW.value
      USING ERRCODE = '23514', COLUMN = 'value', TABLE = 'targets';
  END IF;
  IF NEW.supply_method IS NOT NULL AND NEW.kind NOT IN ('supply_mu', 'standard_land_share') THEN
    RAISE EXCEPTION '供地方式只适用于供地目标，不适用于 % / supply_method narrows supply targets only, not %', NEW.kind, NEW.kind
      USING ERRCODE = '23514', COLUMN = 'supply_method', TABLE = 'targets';
  END IF;
  IF NEW.above_size_only AND NEW.kind NOT IN ('tax_per_mu_wan', 'va_per_mu_wan') THEN
    RAISE EXCEPTION '“仅规上企业”只适用于亩均目标，不适用于 % / above_size_only applies to 亩均 targets only, not %', NEW.kind, NEW.kind
      USING ERRCODE = '23514', COLUMN = 'above_size_only', TABLE = 'targets';
  END IF;
  RETURN NEW;
END
$$;
