-- Who is writing: the API sets landreg.actor per transaction (SET LOCAL); a direct
-- database client falls back to its login role, prefixed so auditors can tell.
CREATE OR REPLACE FUNCTION landreg_sys.actor() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('landreg.actor', true), ''), 'db:' || session_user)
$$;
