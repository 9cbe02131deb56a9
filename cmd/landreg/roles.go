package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// checkRole refuses a database role with more power than landreg needs, unless the
// operator allows it (--allow-superuser). landreg needs to own its database and nothing
// more (docs/decisions.md, "Database roles (issue 11)"); a superuser, a role that may
// create roles or bypass row security, or one that may read, write or run files on the
// server, would silently give every request and every migration power over the whole
// PostgreSQL server. The private cluster's owner role always passes.
//
// It also says clearly when PostGIS is missing and this role may not install it.
func checkRole(ctx context.Context, pool *pgxpool.Pool, allow bool) error {
	var role, db string
	var powers []string
	var super, postgis bool
	err := pool.QueryRow(ctx, `
SELECT current_user, current_database(),
  bool_or(r.rolsuper),
  array_remove(ARRAY[
    CASE WHEN bool_or(r.rolsuper) THEN 'SUPERUSER' END,
    CASE WHEN bool_or(r.rolcreaterole) THEN 'CREATEROLE' END,
    CASE WHEN bool_or(r.rolbypassrls) THEN 'BYPASSRLS' END,
    CASE WHEN NOT bool_or(r.rolsuper) AND bool_or(pg_has_role(r.oid, 'pg_execute_server_program', 'USAGE')
      OR pg_has_role(r.oid, 'pg_write_server_files', 'USAGE') OR pg_has_role(r.oid, 'pg_read_server_files', 'USAGE'))
      THEN 'the server-file roles (pg_*_server_*)' END], NULL),
  EXISTS (SELECT FROM pg_extension WHERE extname = 'postgis')
FROM pg_roles r WHERE r.rolname IN (current_user, session_user)`).Scan(&role, &db, &super, &powers, &postgis)
	if err != nil {
		return fmt.Errorf("checking the database role: %w", err)
	}
	if len(powers) > 0 && !allow {
		return fmt.Errorf("database role %q has %s: landreg would run every request and migration with power over the whole PostgreSQL server, not just its database. "+
			"Connect as a role that owns database %q and has none of SUPERUSER, CREATEROLE, BYPASSRLS (docs/qgis.md, \"Database roles\"), or pass --allow-superuser to run anyway",
			role, strings.Join(powers, ", "), db)
	}
	if !postgis && !super {
		return fmt.Errorf("PostGIS is not installed in database %q, and role %q may not install it: as a superuser, connect to %q and run CREATE EXTENSION postgis", db, role, db)
	}
	return nil
}
