-- The referenced side of parcels' references (landreg_sys.parcel_references): a district
-- or enterprise that parcels name may not be deleted, re-keyed or truncated away, as
-- with the foreign keys it replaces (NO ACTION: checked at the end of the statement, so
-- a key that the statement gives back is fine), with their error (23503, Key (…)=(…) is
-- still referenced from table "parcels"). Arguments: the column of parcels, the key
-- column of the table, the constraint's name.
--
-- A parcel written by a concurrent transaction holds its district's or holder's row FOR
-- KEY SHARE, so a delete waits for it; under READ COMMITTED this check then sees the
-- parcel and refuses, and under SERIALIZABLE the conflict aborts one of the two. Under
-- REPEATABLE READ its snapshot could miss such a parcel (RI checks with a snapshot of
-- its own, which PL/pgSQL cannot take), so there removing a key is refused outright,
-- referenced or not: it must be run in READ COMMITTED or SERIALIZABLE (LR009).
-- SECURITY DEFINER: the check reads every parcel.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_referenced() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  col  text := TG_ARGV[0];
  key  text := TG_ARGV[1];
  con  text := TG_ARGV[2];
  k    text;
  named boolean;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM parcels) THEN
      RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
        USING ERRCODE = 'feature_not_supported', DETAIL = format('Table "parcels" references "%s" (%s).', TG_TABLE_NAME, con),
              HINT = 'Truncate table "parcels" at the same time.';
    END IF;
    RETURN NULL;
  END IF;
  -- A key the statement removed (deleted, or changed to another), parcels naming it first.
  EXECUTE format('SELECT o.%1$I, EXISTS (SELECT 1 FROM parcels p WHERE p.%3$I = o.%1$I) AS named FROM old_rows o
    WHERE o.%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %2$I t WHERE t.%1$I = o.%1$I)
    ORDER BY 2 DESC LIMIT 1', key, TG_TABLE_NAME, col) INTO k, named;
  IF named THEN
    RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "parcels"', TG_TABLE_NAME, con
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = con, SCHEMA = 'public', TABLE = TG_TABLE_NAME,
            DETAIL = format('Key (%s)=(%s) is still referenced from table "parcels".', key, k);
  END IF;
  IF k IS NOT NULL AND current_setting('transaction_isolation') = 'repeatable read' THEN
    RAISE EXCEPTION '% 的代码 % 被删除或更改：须在 READ COMMITTED 或 SERIALIZABLE 隔离级别下进行，以免漏看并发写入的宗地 / removing or re-keying % % needs READ COMMITTED or SERIALIZABLE isolation, so that no parcel written concurrently is missed',
      TG_TABLE_NAME, k, TG_TABLE_NAME, k USING ERRCODE = 'LR009', TABLE = TG_TABLE_NAME, COLUMN = key;
  END IF;
  RETURN NULL;
END
$$;
