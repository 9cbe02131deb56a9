package dbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/migrations"
	"github.com/landreg/landreg/store"
)

// A loaded template is the migrated template with a data set already loaded into it,
// built once per cluster and per key; every test that only needs the data loaded
// clones it (CREATE DATABASE … TEMPLATE) instead of loading it again. Its database
// comment records what it was built from and what the load returned:
type loadedStamp struct {
	// Fingerprint is the migrations' and schema's fingerprint, the caller's
	// fingerprint of the data and its loader, and the Asia/Shanghai date of the build
	// (a load derives state from today's date, so a template does not outlive its day).
	Fingerprint string          `json:"fingerprint"`
	Result      json.RawMessage `json:"result"`
}

// loadedMu serialises a process's template checks and builds; loadedDone remembers
// the templates found current, by name and stamp.
var (
	loadedMu   sync.Mutex
	loadedDone = map[string]json.RawMessage{}
)

// NewLoaded returns a pool on a fresh database that holds what load writes into an
// empty migrated database, and what load returned then. The load runs once per
// cluster for each key (a template named after key, rebuilt when fingerprint — the
// data's and loader's — or the migrations change), and each call clones that template,
// which takes a fraction of a load. Use it only where a test needs the data present,
// not the act of loading: rows carry the template build's transaction times
// (recorded_at, sys_from), earlier than anything the test does.
func NewLoaded[T any](t testing.TB, key, fingerprint string, load func(context.Context, *pgxpool.Pool) (T, error)) (*pgxpool.Pool, T) {
	t.Helper()
	var result T
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL(t))
	if err != nil {
		t.Fatalf("connect test cluster: %v", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	templateOnce.Do(func() { templateErr = ensureTemplate(ctx, admin, ownerURL(t)) })
	if templateErr != nil {
		t.Fatalf("template database: %v", templateErr)
	}
	tpl := "landreg_test_loaded_" + key
	raw, err := ensureLoaded(ctx, t, admin, tpl, fingerprint, func(ctx context.Context, pool *pgxpool.Pool) (json.RawMessage, error) {
		v, err := load(ctx, pool)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
	if err != nil {
		t.Fatalf("loaded template %s: %v", tpl, err)
	}
	if err := json.Unmarshal(raw, &result); err != nil {
		t.Fatalf("loaded template %s: result: %v", tpl, err)
	}
	name := cloneDatabase(ctx, t, admin, tpl)
	return Connect(t, name), result
}

// ensureLoaded makes sure template tpl holds load's data for the current migrations,
// fingerprint and day, and returns load's result. Within a process the answer is
// remembered; across the parallel test processes of a run a session advisory lock
// per template makes one build it while the others wait and then find it built.
func ensureLoaded(ctx context.Context, t testing.TB, admin *pgx.Conn, tpl, fingerprint string, load func(context.Context, *pgxpool.Pool) (json.RawMessage, error)) (json.RawMessage, error) {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	var today string
	if err := admin.QueryRow(ctx, `SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date::text`).Scan(&today); err != nil {
		return nil, err
	}
	want := migrations.Fingerprint() + "/" + fingerprint + "/" + today
	memo := tpl + "\x00" + want
	raw, ok := loadedDone[memo]
	if ok {
		return raw, nil
	}

	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(74206, hashtext($1))", tpl); err != nil {
		return nil, err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(74206, hashtext($1))", tpl)
	var comment string
	if err := admin.QueryRow(ctx, `SELECT coalesce((SELECT shobj_description(oid, 'pg_database') FROM pg_database
		WHERE datname = $1 AND datistemplate), '')`, tpl).Scan(&comment); err != nil {
		return nil, err
	}
	var stamp loadedStamp
	if comment != "" && json.Unmarshal([]byte(comment), &stamp) == nil && stamp.Fingerprint == want {
		loadedDone[memo] = stamp.Result
		return stamp.Result, nil
	}

	// Missing, half built, or built from other migrations, data or on another day.
	id := pgx.Identifier{tpl}.Sanitize()
	admin.Exec(ctx, "ALTER DATABASE "+id+" WITH is_template false")
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)"); err != nil {
		return nil, err
	}
	owner := Owner(t)
	if err := createFrom(ctx, admin, tpl, templateDB, owner); err != nil {
		return nil, err
	}
	pool, err := store.Open(ctx, URL(t, tpl), store.Options{StatementTimeout: store.DefaultStatementTimeout})
	if err != nil {
		return nil, err
	}
	raw, err = load(ctx, pool)
	pool.Close()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(loadedStamp{Fingerprint: want, Result: raw})
	if err != nil {
		return nil, err
	}
	// The stamp goes on last: a template whose load failed halfway has none and is
	// rebuilt by the next caller.
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+id+" IS "+quoteLiteral(string(b))); err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+id+" WITH is_template true"); err != nil {
		return nil, err
	}
	loadedDone[memo] = raw
	return raw, nil
}

// cloneDatabase creates a fresh database from template tpl, owned by the owner role
// and dropped when the test ends, and returns its name.
func cloneDatabase(ctx context.Context, t testing.TB, admin *pgx.Conn, tpl string) string {
	t.Helper()
	name := fmt.Sprintf("landreg_t_%d_%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	if err := createFrom(ctx, admin, name, tpl, Owner(t)); err != nil {
		t.Fatalf("create test database from %s: %v", tpl, err)
	}
	t.Cleanup(func() { dropDatabase(t, name) })
	return name
}

// createFrom runs CREATE DATABASE name TEMPLATE tpl. It fails while another session
// is connected to the template (a pool just closed may still be leaving, and parallel
// packages clone at the same moment), so it retries briefly.
func createFrom(ctx context.Context, admin *pgx.Conn, name, tpl, owner string) error {
	q := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE " + pgx.Identifier{tpl}.Sanitize() +
		" OWNER " + pgx.Identifier{owner}.Sanitize() + " STRATEGY " + cloneStrategy
	var err error
	for i := 0; i <= 50; i++ {
		if _, err = admin.Exec(ctx, q); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// cloneStrategy is how CREATE DATABASE copies the template: PostgreSQL 15's default,
// WAL_LOG. FILE_COPY measured no faster on the fsync-off test cluster (a 26 MB demo
// clone took 0.3–0.4 s either way, FILE_COPY's runs a little slower) and forces two
// checkpoints per clone, which parallel test processes then wait on.
const cloneStrategy = "WAL_LOG"

func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
