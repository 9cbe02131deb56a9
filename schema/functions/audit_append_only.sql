CREATE OR REPLACE FUNCTION landreg_sys.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% 只能追加 / % is append-only', TG_TABLE_NAME, TG_TABLE_NAME USING ERRCODE = 'LR004';
END
$$;
