-- The human key of a row for messages (its code), without converting the geometry:
-- only called on the error path.
CREATE OR REPLACE FUNCTION landreg_sys.row_key(r anyelement) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE j jsonb;
BEGIN
  j := to_jsonb(r) - 'geom';
  RETURN coalesce(j->>'code', j->>'zddm', j->>'xzqdm', j->>'line_code', '?');
END
$$;
