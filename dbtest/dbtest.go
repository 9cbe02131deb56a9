// Package dbtest gives tests a fresh, migrated PostGIS database of their own on the
// cluster that `make test` starts. No mocks: every test talks to real PostgreSQL +
// PostGIS, as the role landreg itself runs as (LANDREG_TEST_DATABASE_URL: the owner,
// not a superuser); what needs a superuser (creating databases, logins, PostGIS) uses
// LANDREG_TEST_ADMIN_URL.
package dbtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/migrations"
	"github.com/landreg/landreg/store"
)

// EnvURL names the test cluster's connection as the owner role (what landreg runs as).
const EnvURL = "LANDREG_TEST_DATABASE_URL"

// EnvAdminURL names the test cluster's connection as its superuser.
const EnvAdminURL = "LANDREG_TEST_ADMIN_URL"

const templateDB = "landreg_test_template"

var templateOnce sync.Once
var templateErr error

// AdminURL returns the test cluster's superuser URL or fails the test with how to get one.
func AdminURL(t testing.TB) string {
	t.Helper()
	return env(t, EnvAdminURL)
}

// ownerURL returns the test cluster's owner-role URL.
func ownerURL(t testing.TB) string {
	t.Helper()
	return env(t, EnvURL)
}

func env(t testing.TB, name string) string {
	t.Helper()
	u := os.Getenv(name)
	if u == "" {
		t.Fatalf("%s is not set: run the suite with `make test`, which starts a private PostGIS cluster", name)
	}
	return u
}

// Owner is the role of LANDREG_TEST_DATABASE_URL, which owns every test database.
func Owner(t testing.TB) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(ownerURL(t))
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	return cfg.User
}

// URL returns the owner-role URL (postgres:// form) pointed at another database.
func URL(t testing.TB, dbname string) string {
	t.Helper()
	u, err := url.Parse(ownerURL(t))
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	u.Path = "/" + dbname
	return u.String()
}

// New creates a fresh database (copied from a migrated template), returns a pool on it,
// and drops it when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	name := NewDatabase(t)
	pool := Connect(t, name)
	return pool
}

// NewDatabase creates a fresh migrated database and returns its name.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL(t))
	if err != nil {
		t.Fatalf("connect test cluster: %v", err)
	}
	defer admin.Close(ctx)
	templateOnce.Do(func() { templateErr = ensureTemplate(ctx, admin, ownerURL(t)) })
	if templateErr != nil {
		t.Fatalf("template database: %v", templateErr)
	}
	return cloneDatabase(ctx, t, admin, templateDB)
}

// Connect opens a pool on a database of the test cluster, closed at test end. It is
// opened as serve opens its own (store.Open: no JIT, no parallel workers, the default
// statement timeout), so tests run under the server's settings.
func Connect(t testing.TB, dbname string) *pgxpool.Pool {
	t.Helper()
	pool, err := store.Open(context.Background(), URL(t, dbname), store.Options{StatementTimeout: store.DefaultStatementTimeout})
	if err != nil {
		t.Fatalf("connect %s: %v", dbname, err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// ensureTemplate migrates the template database once per cluster, prepared as the
// private cluster's set-up prepares landreg's (owned by the owner role, PostGIS created
// by the superuser) and migrated as the owner, on a pool of store.Open as serve
// migrates. Packages run in parallel processes, so a session-level advisory lock guards
// the creation.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, owner string) error {
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(74205)"); err != nil {
		return err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(74205)")
	var fp string
	err := admin.QueryRow(ctx, `SELECT coalesce((SELECT shobj_description(oid, 'pg_database') FROM pg_database
		WHERE datname = $1 AND datistemplate), '')`, templateDB).Scan(&fp)
	if err != nil || fp == migrations.Fingerprint() {
		return err
	}
	// Missing or built from other migrations: rebuild.
	admin.Exec(ctx, "ALTER DATABASE "+templateDB+" WITH is_template false")
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+templateDB+" WITH (FORCE)")
	cfg, err := pgxpool.ParseConfig(owner)
	if err != nil {
		return err
	}
	if err := Prepare(ctx, admin, templateDB, cfg.ConnConfig.User); err != nil {
		return err
	}
	u, err := url.Parse(owner)
	if err != nil {
		return err
	}
	u.Path = "/" + templateDB
	pool, err := store.Open(ctx, u.String(), store.Options{StatementTimeout: store.DefaultStatementTimeout})
	if err != nil {
		return err
	}
	if _, err := migrations.Up(ctx, pool); err != nil {
		pool.Close()
		return err
	}
	pool.Close()
	if _, err = admin.Exec(ctx, "COMMENT ON DATABASE "+templateDB+" IS '"+migrations.Fingerprint()+"'"); err != nil {
		return err
	}
	_, err = admin.Exec(ctx, "ALTER DATABASE "+templateDB+" WITH is_template true")
	return err
}

// dropDatabase drops a test's database, whoever is still connected.
func dropDatabase(t testing.TB, name string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, AdminURL(t))
	if err != nil {
		return
	}
	defer c.Close(ctx)
	c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// Persistent (re)creates a named migrated database that outlives the test that asked
// for it: benchmarks share one large data set across benchmark functions. The caller
// drops it (DropDatabase) when done.
func Persistent(t testing.TB, name string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL(t))
	if err != nil {
		t.Fatalf("connect test cluster: %v", err)
	}
	defer admin.Close(ctx)
	templateOnce.Do(func() { templateErr = ensureTemplate(ctx, admin, ownerURL(t)) })
	if templateErr != nil {
		t.Fatalf("template database: %v", templateErr)
	}
	id := pgx.Identifier{name}.Sanitize()
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+id+" TEMPLATE "+templateDB+" OWNER "+pgx.Identifier{Owner(t)}.Sanitize()); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return URL(t, name)
}

// DropDatabase removes a database made by Persistent.
func DropDatabase(url, name string) error {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// Prepare creates database name, empty, as the private cluster's set-up does: owned by
// owner, with PostGIS created by the superuser connection admin.
func Prepare(ctx context.Context, admin *pgx.Conn, name, owner string) error {
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" OWNER "+pgx.Identifier{owner}.Sanitize()); err != nil {
		return err
	}
	cfg := admin.Config().Copy()
	cfg.Database = name
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	_, err = c.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis")
	return err
}

// NewLogin creates a LOGIN role with a random password, member of groups (say
// landreg_planner), as the superuser, and returns pool's connection settings with that
// role and password: a person's own database login, as a bureau would create it. The
// role is dropped when the test ends.
func NewLogin(t testing.TB, pool *pgxpool.Pool, groups ...string) *pgx.ConnConfig {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL(t))
	if err != nil {
		t.Fatalf("connect test cluster: %v", err)
	}
	defer admin.Close(ctx)
	role := fmt.Sprintf("t_login_%d_%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	password := fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64())
	q := "CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " LOGIN PASSWORD '" + password + "'"
	for i, g := range groups {
		if i == 0 {
			q += " IN ROLE "
		} else {
			q += ", "
		}
		q += pgx.Identifier{g}.Sanitize()
	}
	if _, err := admin.Exec(ctx, q); err != nil {
		t.Fatalf("create login: %v", err)
	}
	dbname := pool.Config().ConnConfig.Database
	t.Cleanup(func() {
		ctx := context.Background()
		cfg, err := pgx.ParseConfig(AdminURL(t))
		if err != nil {
			return
		}
		cfg.Database = dbname
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		id := pgx.Identifier{role}.Sanitize()
		c.Exec(ctx, "REASSIGN OWNED BY "+id+" TO "+pgx.Identifier{Owner(t)}.Sanitize())
		c.Exec(ctx, "DROP OWNED BY "+id)
		c.Exec(ctx, "DROP ROLE "+id)
	})
	cfg := pool.Config().ConnConfig.Copy()
	cfg.User, cfg.Password = role, password
	return cfg
}
