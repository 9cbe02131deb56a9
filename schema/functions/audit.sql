-- The audit rows of one statement (schema/triggers/audit.sql), written set-based from its
-- transition tables so that a bulk import costs one INSERT … SELECT. Rows hold the row
-- as stored, less what is derived from it: generated columns (area_m2 of districts and
-- block lines, an event's kind and fact) and props_json (rebuilt from the columns). Geometry is written with
-- ST_AsGeoJSON(g, 15, 8), the same GeoJSON as PostGIS's jsonb cast at a fraction of its
-- cost. The row key is the primary key (a composite one joined by commas). Old and new
-- rows of an UPDATE are paired by position in the transition tables, which PostgreSQL
-- fills side by side, so an update that changes the key itself is recorded too. The
-- select list is built once per statement from the catalog; names are quoted with %I.
-- The actor and reason are read once per statement too (each read of the change context
-- is a SECURITY DEFINER call: per row they cost more than the rest of a bulk import's audit).
-- A table whose versions are the record of its rows (trigger argument 'versions': parcels,
-- whose versions carry created_by, reason and system time) audits an INSERT of more than
-- 1,000 rows with one row (issue 18.4, docs/decisions.md "Bulk imports: one audit row per
-- statement"): actor, reason, the number of rows and their ids, which the readers join
-- to the versions (store.ParcelAudit). The count is the statement's own (its transition
-- table), never a setting, so whoever writes is audited either way. Updates and deletes
-- keep a row each, old and new side by side.
-- SECURITY DEFINER: QGIS editors write audit rows only through it.
CREATE OR REPLACE FUNCTION landreg_sys.audit() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cols   text;
  pk     text;
  who    text := landreg_sys.actor();
  why    text := landreg_sys.reason();
  n      bigint;
  lo     bigint;
  hi     bigint;
  ids    int8multirange;
BEGIN
  IF TG_OP = 'INSERT' AND TG_NARGS > 0 AND TG_ARGV[0] = 'versions' THEN
    EXECUTE 'SELECT count(*), min(id), max(id) FROM new_rows' INTO n, lo, hi;
    IF n > 1000 THEN
      IF hi - lo + 1 = n THEN
        ids := int8multirange(int8range(lo, hi, '[]')); -- one run of the sequence (ids are unique)
      ELSE
        EXECUTE 'SELECT range_agg(int8range(id, id, ''[]'')) FROM new_rows' INTO ids;
      END IF;
      INSERT INTO audit_log (table_name, op, row_key, actor, reason, row_count, row_ids)
      VALUES (TG_TABLE_NAME, 'INSERT', NULL, who, why, n, ids);
      RETURN NULL;
    END IF;
  END IF;
  SELECT string_agg(CASE WHEN t.typname = 'geometry' THEN format('ST_AsGeoJSON(r.%1$I, 15, 8)::jsonb AS %1$I', a.attname)
                         ELSE format('r.%I', a.attname) END, ', ' ORDER BY a.attnum)
  INTO cols
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    AND a.attname <> 'props_json';
  SELECT string_agg(format('(j->>%L)', a.attname), ' || '','' || ' ORDER BY array_position(i.indkey, a.attnum))
  INTO pk
  FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
  WHERE i.indrelid = TG_RELID AND i.indisprimary;
  pk := coalesce(pk, 'NULL::text');
  IF TG_OP = 'INSERT' THEN
    EXECUTE format($q$INSERT INTO audit_log (table_name, op, row_key, actor, reason, new_row)
      SELECT $1, 'INSERT', %2$s, $2, $3, j
      FROM (SELECT to_jsonb(x) AS j FROM (SELECT %1$s FROM new_rows r) x) s$q$, cols, pk) USING TG_TABLE_NAME, who, why;
  ELSIF TG_OP = 'UPDATE' THEN
    EXECUTE format($q$INSERT INTO audit_log (table_name, op, row_key, actor, reason, old_row, new_row)
      SELECT $1, 'UPDATE', n.k, $2, $3, o.j, n.j
      FROM (SELECT row_number() OVER () AS pos, j FROM (SELECT to_jsonb(x) AS j FROM (SELECT %1$s FROM old_rows r) x) y) o
      JOIN (SELECT row_number() OVER () AS pos, %2$s AS k, j FROM (SELECT to_jsonb(x) AS j FROM (SELECT %1$s FROM new_rows r) x) y) n
      USING (pos)$q$, cols, pk) USING TG_TABLE_NAME, who, why;
  ELSE
    EXECUTE format($q$INSERT INTO audit_log (table_name, op, row_key, actor, reason, old_row)
      SELECT $1, 'DELETE', %2$s, $2, $3, j
      FROM (SELECT to_jsonb(x) AS j FROM (SELECT %1$s FROM old_rows r) x) s$q$, cols, pk) USING TG_TABLE_NAME, who, why;
  END IF;
  RETURN NULL;
END
$$;

ALTER FUNCTION landreg_sys.audit() SECURITY DEFINER SET search_path = public, pg_temp;
