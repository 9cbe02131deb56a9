-- The references of parcels to districts (xzqdm) and enterprises (holder_uscc), checked
-- once per statement from its transition table (issue 18.4: PostgreSQL 15 checks a
-- foreign key per row, two queries per row of a 200,000-parcel import). It does what
-- the foreign keys parcels_xzqdm_fkey and parcels_holder_uscc_fkey did, which it
-- replaces (migration 00029): the referenced rows are locked FOR KEY SHARE, as RI does,
-- so they cannot be deleted or re-keyed before the transaction ends (a concurrent delete
-- makes the lock wait, then the row is missing and refused; under REPEATABLE READ it is
-- a serialization failure), and a key that is not there is refused with the error the
-- constraint raised (23503, its name, Key (…)=(…) is not present in table …), which
-- store.Translate tells as the field. The other side is landreg_sys.parcel_referenced.
-- SECURITY DEFINER: the lock needs a privilege on the referenced tables that a direct
-- editor of parcels need not have.
CREATE OR REPLACE FUNCTION landreg_sys.parcel_references() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  k text;
BEGIN
  PERFORM 1 FROM districts d WHERE d.xzqdm IN (SELECT n.xzqdm FROM new_rows n) FOR KEY SHARE OF d;
  SELECT n.xzqdm INTO k FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.xzqdm = n.xzqdm) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "parcels" violates foreign key constraint "parcels_xzqdm_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'parcels_xzqdm_fkey', SCHEMA = 'public', TABLE = 'parcels',
            DETAIL = format('Key (xzqdm)=(%s) is not present in table "districts".', k);
  END IF;
  PERFORM 1 FROM enterprises e WHERE e.uscc IN (SELECT n.holder_uscc FROM new_rows n) FOR KEY SHARE OF e;
  SELECT n.holder_uscc INTO k FROM new_rows n
  WHERE n.holder_uscc IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.uscc = n.holder_uscc) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "parcels" violates foreign key constraint "parcels_holder_uscc_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'parcels_holder_uscc_fkey', SCHEMA = 'public', TABLE = 'parcels',
            DETAIL = format('Key (holder_uscc)=(%s) is not present in table "enterprises".', k);
  END IF;
  RETURN NULL;
END
$$;
