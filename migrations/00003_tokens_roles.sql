-- +goose Up
-- API tokens for writers (planners, registrars, auditors, admins) and the database
-- group roles a bureau grants to people who edit in QGIS over PostgreSQL.
CREATE TABLE api_tokens (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL UNIQUE CHECK (name ~ '^[^\s:][^\s]{0,63}$'),
  role       text NOT NULL CHECK (role IN ('planner', 'registrar', 'auditor', 'admin')),
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

COMMENT ON TABLE api_tokens IS 'API 令牌（只存哈希）/ API tokens, stored as SHA-256 hashes only';

-- Group roles: created when the migrating role may create roles; otherwise a notice
-- says what to run as a superuser (docs/qgis.md).
-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_planner') THEN
    CREATE ROLE landreg_planner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_reader') THEN
    CREATE ROLE landreg_reader NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot create roles landreg_planner/landreg_reader: create them as a superuser (see docs/qgis.md)';
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE IF EXISTS api_tokens;
