-- Who is writing: the actor the owner's code stated (begin_change), else the login role,
-- prefixed so auditors can tell a direct database edit (QGIS, psql) from the API.
CREATE OR REPLACE FUNCTION landreg_sys.actor() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT coalesce((landreg_sys.context()).actor, 'db:' || session_user)
$$;
