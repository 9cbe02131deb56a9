-- The decision (landreg_sys.disposal_decisions) an event records, or NULL when it records
-- none: EXTENSION_APPROVED extends the start deadline (延长动工期限); RECOVERY_DECIDED is
-- its basis (协议有偿收回 / 无偿收回); DISPOSED names its kind in payload.decision, else
-- its method says it (the demo data and older registers write the method as text:
-- 置换土地, 调整土地用途和规划条件, 安排临时使用, 督促开工并约定新开工期限 …), else OTHER.
CREATE OR REPLACE FUNCTION landreg_sys.disposal_decision(type text, payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE type
  WHEN 'EXTENSION_APPROVED' THEN 'EXTEND'
  WHEN 'RECOVERY_DECIDED' THEN CASE WHEN payload ->> 'basis' IN ('COMPENSATED', 'UNCOMPENSATED') THEN payload ->> 'basis' END
  WHEN 'DISPOSED' THEN coalesce(payload ->> 'decision', CASE
    WHEN payload ->> 'method' ~ '置换' THEN 'SWAP'
    WHEN payload ->> 'method' ~ '临时使用' THEN 'TEMPORARY_USE'
    WHEN payload ->> 'method' ~ '用途|规划条件' THEN 'CHANGE_USE'
    WHEN payload ->> 'method' ~ '延长|延期|开工期限' THEN 'EXTEND'
    ELSE 'OTHER' END)
END;
