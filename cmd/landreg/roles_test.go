package main

import (
	"github.com/landreg/landreg"

	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/migrations"
	"github.com/landreg/landreg/pgcluster"
	"github.com/landreg/landreg/store"
)

// privateClusterConn connects to database db of the private cluster in dir as its
// set-up superuser, with the password from its file.
func privateClusterConn(t *testing.T, dir, db string) *pgx.Conn {
	t.Helper()
	pw, err := os.ReadFile(filepath.Join(dir, "landreg_super.password"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := socketConfig(t, dir, pgcluster.Superuser, db)
	cfg.Password = strings.TrimSpace(string(pw))
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("superuser connection: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// socketConfig is a connection over the unix socket in dir with no password at all
// (none from PGPASSWORD or ~/.pgpass either).
func socketConfig(t *testing.T, dir, role, db string) *pgx.ConnConfig {
	t.Helper()
	port, err := os.ReadFile(filepath.Join(dir, "landreg.port"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", dir, strings.TrimSpace(string(port)), role, db))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = ""
	return cfg
}

// checkPrivateClusterRoles asserts the roles of a running private cluster in dir
// (issue 11): the application's connections (application_name landreg) run as the owner
// role, which is no superuser and may neither create roles nor bypass row security; the
// unix socket admits no role without its password; the owner owns the landreg database
// and everything in it but PostGIS's objects.
func checkPrivateClusterRoles(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	admin := privateClusterConn(t, dir, "landreg")

	rows, err := admin.Query(ctx, `SELECT a.usename, r.rolsuper, r.rolcreaterole, r.rolbypassrls, r.rolcreatedb, r.rolreplication
FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid WHERE a.application_name = 'landreg'`)
	if err != nil {
		t.Fatal(err)
	}
	type session struct {
		Role                                          string
		Super, CreateRole, BypassRLS, CreateDB, Repli bool
	}
	sessions, err := pgx.CollectRows(rows, pgx.RowToStructByPos[session])
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) == 0 {
		t.Error("no connection of landreg's pool in pg_stat_activity")
	}
	for _, s := range sessions {
		if s.Role != pgcluster.Owner || s.Super || s.CreateRole || s.BypassRLS || s.CreateDB || s.Repli {
			t.Errorf("landreg's pool connects as %+v, want role landreg with rolsuper, rolcreaterole, rolbypassrls, rolcreatedb, rolreplication all false", s)
		}
	}

	// No password, no way in, on the unix socket too.
	for _, role := range []string{pgcluster.Owner, pgcluster.Superuser} {
		for _, pw := range []string{"", "wrong"} {
			cfg := socketConfig(t, dir, role, "landreg")
			cfg.Password = pw
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err == nil {
				conn.Close(ctx)
				t.Errorf("unix socket admitted %s with password %q", role, pw)
				continue
			}
			var pg *pgconn.PgError
			if !errors.As(err, &pg) || pg.Code != "28P01" {
				t.Errorf("unix socket as %s with password %q: %v, want password authentication failed (28P01)", role, pw, err)
			}
		}
	}
	var lax []string
	rows, err = admin.Query(ctx, `SELECT type || ' ' || array_to_string(user_name, ',') || ' ' || auth_method FROM pg_hba_file_rules
WHERE auth_method <> 'scram-sha-256' OR error IS NOT NULL`)
	if err == nil {
		lax, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil || len(lax) > 0 {
		t.Errorf("pg_hba.conf rules other than scram-sha-256: %v %v", lax, err)
	}

	var dbOwner string
	admin.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`).Scan(&dbOwner)
	if dbOwner != pgcluster.Owner {
		t.Errorf("database landreg is owned by %q, want %s", dbOwner, pgcluster.Owner)
	}
	rows, err = admin.Query(ctx, `
WITH ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e'),
own AS (
  SELECT 'schema ' || nspname AS what, nspowner AS owner FROM pg_namespace WHERE nspname IN ('public', 'landreg_sys')
  UNION ALL
  SELECT 'relation ' || c.oid::regclass, c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('public', 'landreg_sys') AND c.relkind NOT IN ('i', 'I', 't')
    AND c.oid NOT IN (SELECT objid FROM ext) AND c.reltype NOT IN (SELECT objid FROM ext)
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure, p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname IN ('public', 'landreg_sys') AND p.oid NOT IN (SELECT objid FROM ext)
  UNION ALL
  SELECT 'type ' || t.oid::regtype, t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname IN ('public', 'landreg_sys') AND t.oid NOT IN (SELECT objid FROM ext) AND t.typrelid = 0 AND t.typelem = 0
)
SELECT what || ' (' || pg_get_userbyid(owner) || ')' FROM own
WHERE pg_get_userbyid(owner) NOT IN ($1, 'pg_database_owner') ORDER BY 1`, pgcluster.Owner)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(foreign) > 0 {
		t.Errorf("objects of database landreg not owned by %s: %v %v", pgcluster.Owner, foreign, err)
	}
	var n int
	admin.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relnamespace = 'landreg_sys'::regnamespace`).Scan(&n)
	if n == 0 {
		t.Error("database landreg is not migrated (landreg_sys is empty)")
	}
}

// TestLegacyClusterIsConverted makes a private cluster as landreg did before issue 11
// (landreg the bootstrap superuser, trust on the unix socket), migrated and with data,
// leaves it running, and opens it as every command does: the cluster is converted in
// place (landreg a plain owner role keeping its password, landreg_super the bootstrap
// superuser, SCRAM on the socket) and everything keeps working; a second start is a
// no-op.
func TestLegacyClusterIsConverted(t *testing.T) {
	if _, err := os.Stat(filepath.Join(pgcluster.DefaultBinDir, "initdb")); err != nil {
		t.Skip("PostgreSQL 15 server binaries not installed")
	}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "landreg-legacy-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(tmp, 0o755) // reachable by the postgres user when tests run as root
	dir := filepath.Join(tmp, "pg")
	t.Cleanup(func() {
		runPG(t, "pg_ctl", "stop", "-D", dir, "-m", "immediate", "-w")
		os.RemoveAll(tmp)
	})
	port := legacyCluster(t, dir)
	oldPW, _ := os.ReadFile(filepath.Join(dir, "landreg.password"))

	// Migrated as the superuser it then was, with a token and a block line.
	legacyURL := fmt.Sprintf("host=%s port=%d user=landreg dbname=landreg sslmode=disable", dir, port)
	pool, err := pgxpool.New(ctx, legacyURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Up(ctx, pool); err != nil {
		t.Fatalf("legacy migrate: %v", err)
	}
	if _, err := store.CreateToken(ctx, pool, "zhang.san", landreg.RolePlanner); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom) VALUES ('330304', '瓯海区', ST_Multi(ST_MakeEnvelope(120.50, 27.88, 120.72, 28.05, 4490)))`); err != nil {
		t.Fatal(err)
	}
	// A conversion cut short earlier left its password file and helper role behind.
	if _, err := pool.Exec(ctx, `CREATE ROLE landreg_convert SUPERUSER LOGIN`); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "landreg_super.password"), []byte("left-by-an-interrupted-conversion\n"), 0o600)
	chownPG(t, filepath.Join(dir, "landreg_super.password"))
	pool.Close()

	f := &dbFlags{dataDir: dir, pgBin: pgcluster.DefaultBinDir}
	log := newLogger(io.Discard)
	sess, err := f.open(ctx, log, store.Options{})
	if err != nil {
		t.Fatalf("opening the legacy cluster: %v", err)
	}
	if sess.started {
		t.Error("the running legacy cluster was not reused")
	}
	// The owner runs the commands: migrations (a no-op), reads and audited writes.
	if _, err := migrations.Up(ctx, sess.pool); err != nil {
		t.Errorf("migrate as the owner after conversion: %v", err)
	}
	tokens, err := store.ListTokens(ctx, sess.pool)
	if err != nil || len(tokens) != 1 {
		t.Errorf("tokens after conversion: %v %v", tokens, err)
	}
	err = pgx.BeginFunc(ctx, sess.pool, func(tx pgx.Tx) error {
		if err := store.BeginChange(ctx, tx, store.Change{Actor: "li.si", Effective: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ('330304-GYQK-01', '一级', '330304', 1, ST_Multi(ST_MakeEnvelope(120.62, 27.93, 120.63, 27.94, 4490)))`)
		return err
	})
	if err != nil {
		t.Errorf("audited write as the owner after conversion: %v", err)
	}
	var audited int
	sess.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE table_name = 'block_lines' AND actor = 'li.si'`).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d audit rows for the owner's write, want 1", audited)
	}
	checkPrivateClusterRoles(t, dir)
	sess.close(ctx, log)

	admin := privateClusterConn(t, dir, "postgres")
	var boot string
	var convertLeft bool
	admin.QueryRow(ctx, `SELECT rolname, EXISTS (SELECT FROM pg_roles WHERE rolname = 'landreg_convert') FROM pg_roles WHERE oid = 10`).Scan(&boot, &convertLeft)
	if boot != pgcluster.Superuser || convertLeft {
		t.Errorf("bootstrap superuser is %q (want %s); landreg_convert left behind: %v", boot, pgcluster.Superuser, convertLeft)
	}
	admin.Close(ctx)
	if fi, err := os.Stat(filepath.Join(dir, "landreg_super.password")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("landreg_super.password: %v %v, want mode 0600", fi, err)
	}
	// QGIS and psql users keep their TCP URL: landreg's password did not change.
	tcp := (&url.URL{Scheme: "postgres", User: url.UserPassword("landreg", strings.TrimSpace(string(oldPW))),
		Host: "127.0.0.1:" + strconv.Itoa(port), Path: "/landreg", RawQuery: "sslmode=disable"}).String()
	if conn, err := pgx.Connect(ctx, tcp); err != nil {
		t.Errorf("landreg's old password over TCP: %v", err)
	} else {
		conn.Close(ctx)
	}

	// Stopped and started again (the start path): set-up finds nothing to do.
	superPW, _ := os.ReadFile(filepath.Join(dir, "landreg_super.password"))
	runPG(t, "pg_ctl", "stop", "-D", dir, "-m", "fast", "-w")
	sess, err = f.open(ctx, log, store.Options{})
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	if !sess.started {
		t.Error("the stopped cluster was not started")
	}
	if err := store.Ready(ctx, sess.pool); err != nil {
		t.Errorf("ready after restart: %v", err)
	}
	checkPrivateClusterRoles(t, dir)
	sess.close(ctx, log)
	if again, _ := os.ReadFile(filepath.Join(dir, "landreg_super.password")); string(again) != string(superPW) {
		t.Error("the second start changed the superuser's password")
	}
}

// legacyCluster creates and starts a cluster in dir exactly as pgcluster did before
// issue 11, and returns its port.
func legacyCluster(t *testing.T, dir string) int {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	chownPG(t, dir)
	pwFile := filepath.Join(filepath.Dir(dir), "pw")
	os.WriteFile(pwFile, []byte("0123456789abcdef0123456789abcdef0123\n"), 0o600)
	chownPG(t, pwFile)
	runPG(t, "initdb", "-D", dir, "-U", "landreg", "-E", "UTF8", "--locale=C.UTF-8",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwFile)
	os.Rename(pwFile, filepath.Join(dir, "landreg.password"))
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories='%s' -c fsync=off -c timezone=UTC", port, dir)
	runPG(t, "pg_ctl", "start", "-D", dir, "-w", "-t", "60", "-l", filepath.Join(dir, "server.log"), "-o", opts)
	os.WriteFile(filepath.Join(dir, "landreg.port"), []byte(strconv.Itoa(port)+"\n"), 0o600)
	conn, err := pgx.Connect(context.Background(), fmt.Sprintf("host=%s port=%d user=landreg dbname=postgres sslmode=disable", dir, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE DATABASE landreg"); err != nil {
		t.Fatal(err)
	}
	return port
}

// runPG runs a PostgreSQL server binary, as the postgres system user when root.
func runPG(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(pgcluster.DefaultBinDir, name), args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if u := postgresUser(t); u != nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	if out, err := cmd.CombinedOutput(); err != nil && !(name == "pg_ctl" && args[0] == "stop") {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func postgresUser(t *testing.T) *user.User {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func chownPG(t *testing.T, path string) {
	if u := postgresUser(t); u != nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(path, uid, gid)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// TestExternalDatabaseRoleChecked opens DATABASE_URL as serve and migrate do: a
// superuser, or a role that may create roles, is refused with the reason and the way
// out, unless --allow-superuser; the owner role passes.
func TestExternalDatabaseRoleChecked(t *testing.T) {
	ctx := context.Background()
	name := dbtest.NewDatabase(t)
	log := newLogger(io.Discard)
	open := func(u string, allow bool) error {
		f := &dbFlags{url: u, allowSuperuser: allow}
		s, err := f.open(ctx, log, store.Options{})
		if err == nil {
			s.close(ctx, log)
		}
		return err
	}
	super := dbtest.AdminURL(t)
	su, _ := url.Parse(super)
	su.Path = "/" + name
	err := open(su.String(), false)
	if err == nil || !strings.Contains(err.Error(), "has SUPERUSER") || !strings.Contains(err.Error(), "--allow-superuser") {
		t.Errorf("superuser DATABASE_URL: %v, want a refusal naming SUPERUSER and --allow-superuser", err)
	}
	if err := open(su.String(), true); err != nil {
		t.Errorf("superuser with --allow-superuser: %v", err)
	}
	pool := dbtest.Connect(t, name)
	creator := dbtest.NewLogin(t, pool)
	admin, err := pgx.Connect(ctx, super)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "ALTER ROLE "+creator.User+" CREATEROLE BYPASSRLS"); err != nil {
		t.Fatal(err)
	}
	cu, _ := url.Parse(dbtest.URL(t, name))
	cu.User = url.UserPassword(creator.User, creator.Password)
	err = open(cu.String(), false)
	if err == nil || !strings.Contains(err.Error(), "has CREATEROLE, BYPASSRLS:") {
		t.Errorf("CREATEROLE BYPASSRLS DATABASE_URL: %v, want a refusal naming CREATEROLE, BYPASSRLS", err)
	}
	if err := open(dbtest.URL(t, name), false); err != nil {
		t.Errorf("owner DATABASE_URL refused: %v", err)
	}
}
