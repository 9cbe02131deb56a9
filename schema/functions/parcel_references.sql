-- The references of parcels to districts (xzqdm) and enterprises (holder_uscc), checked
-- once per statement from its transition table (issue 18.4: PostgreSQL 15 checks a
-- foreign key per row, two queries per row of a 200,000-parcel import). It does what
-- the foreign keys parcels_xzqdm_fkey and parcels_holder_uscc_fkey did, which it
-- replaces (migration 00034): the referenced rows are locked FOR KEY SHARE, as RI does,
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
  ds text[];
  hs text[];
  k  text;
BEGIN
  -- One pass over the statement's rows (a transition table of an import holds every
  -- row, geometry and all, on disk): the few distinct keys.
  SELECT array_agg(DISTINCT p.xzqdm), array_agg(DISTINCT p.holder_uscc) FILTER (WHERE p.holder_uscc IS NOT NULL)
  INTO ds, hs FROM (SELECT DISTINCT n.xzqdm, n.holder_uscc FROM new_rows n) p;
  PERFORM 1 FROM districts d WHERE d.xzqdm = ANY (ds) FOR KEY SHARE OF d;
  SELECT x INTO k FROM unnest(ds) x WHERE NOT EXISTS (SELECT 1 FROM districts d WHERE d.xzqdm = x) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "parcels" violates foreign key constraint "parcels_xzqdm_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'parcels_xzqdm_fkey', SCHEMA = 'public', TABLE = 'parcels',
            DETAIL = format('Key (xzqdm)=(%s) is not present in table "districts".', k);
  END IF;
  PERFORM 1 FROM enterprises e WHERE e.uscc = ANY (hs) FOR KEY SHARE OF e;
  SELECT x INTO k FROM unnest(hs) x WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.uscc = x) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "parcels" violates foreign key constraint "parcels_holder_uscc_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'parcels_holder_uscc_fkey', SCHEMA = 'public', TABLE = 'parcels',
            DETAIL = format('Key (holder_uscc)=(%s) is not present in table "enterprises".', k);
  END IF;
  RETURN NULL;
END
$$;
