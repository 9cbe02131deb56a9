// Package pgcluster runs a private PostgreSQL + PostGIS cluster under a data folder,
// using the system's PostgreSQL binaries. It backs the "embedded default" database of
// `landreg serve` and the throwaway clusters of the test suite.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Roles of a private cluster (docs/decisions.md, "Database roles (issue 11)").
const (
	// Superuser is the bootstrap role, used for set-up only: roles, the database, PostGIS.
	Superuser = "landreg_super"
	// Owner is the role landreg runs as: it owns the landreg database and every object the
	// migrations create, and holds no SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or
	// BYPASSRLS.
	Owner = "landreg"
	// PlannerRole and ReaderRole are the NOLOGIN groups a bureau grants to people who
	// edit or read over PostgreSQL (docs/qgis.md).
	PlannerRole = "landreg_planner"
	ReaderRole  = "landreg_reader"
)

// DefaultBinDir is where Debian's postgresql-15 puts its server binaries.
const DefaultBinDir = "/usr/lib/postgresql/15/bin"

const (
	// The owner's password. Before issue 11 it was the (then superuser) landreg role's,
	// and a converted cluster keeps it for the owner.
	ownerPasswordFile = "landreg.password"
	superPasswordFile = "landreg_super.password"
	portFile          = "landreg.port"
	logFile           = "server.log"
	hbaFile           = "pg_hba.conf"
	// convertRole is a short-lived superuser that renames the bootstrap role while
	// converting a cluster made before issue 11 (a role cannot rename itself).
	convertRole = "landreg_convert"
	// setupLock serialises Setup calls on one cluster (advisory lock in database postgres).
	setupLock = 7_310_442_011
)

// hbaConf is landreg's pg_hba.conf: every connection, on the unix socket too, proves
// its role's password (SCRAM), so no OS user that reaches the socket (the postgres
// system user, say) gets in as a role without its password.
const hbaConf = `# Written by landreg (pgcluster): every connection authenticates with its role's
# password (SCRAM-SHA-256), on the unix socket too. Passwords: landreg.password (role
# landreg, the application) and landreg_super.password (role landreg_super, set-up).
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  scram-sha-256
host    all          all   127.0.0.1/32   scram-sha-256
host    all          all   ::1/128        scram-sha-256
local   replication  all                  scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
host    replication  all   ::1/128        scram-sha-256
`

// Cluster is a PostgreSQL cluster in Dir (its PGDATA). The unix socket lives in Dir too.
type Cluster struct {
	Dir    string // absolute path of PGDATA
	BinDir string
	// Fast trades durability for speed (fsync off): for throwaway test clusters only.
	Fast bool

	port   int
	osUser *user.User // non-nil when running as root: binaries run as this user
}

// New prepares a Cluster handle for dir; nothing is started.
func New(dir, binDir string) (*Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if binDir == "" {
		binDir = DefaultBinDir
	}
	if _, err := os.Stat(filepath.Join(binDir, "pg_ctl")); err != nil {
		return nil, fmt.Errorf("PostgreSQL server binaries not found in %s (install postgresql-15 and postgresql-15-postgis-3, or set --pg-bin)", binDir)
	}
	c := &Cluster{Dir: abs, BinDir: binDir}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root: drop to the system's postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root needs the 'postgres' system user (created by Debian's postgresql-common package)")
		}
		c.osUser = u
	}
	// A unix socket path is limited to 107 bytes.
	if len(c.socketPath(65535)) > 107 {
		return nil, fmt.Errorf("data folder path %s is too long for a unix socket; choose a shorter --data-dir", abs)
	}
	return c, nil
}

// Port is the TCP port of the running cluster (after Start).
func (c *Cluster) Port() int { return c.port }

func (c *Cluster) socketPath(port int) string {
	return filepath.Join(c.Dir, fmt.Sprintf(".s.PGSQL.%d", port))
}

// Initialized reports whether Dir already holds a cluster.
func (c *Cluster) Initialized() bool {
	_, err := os.Stat(filepath.Join(c.Dir, "PG_VERSION"))
	return err == nil
}

// Init creates the cluster if Dir holds none. Its bootstrap superuser is Superuser,
// with a generated password kept in Dir/landreg_super.password; the owner role's
// password is generated into Dir/landreg.password (Setup creates the role). Every
// connection, unix socket included, authenticates with SCRAM.
func (c *Cluster) Init(ctx context.Context) error {
	if c.Initialized() {
		return nil
	}
	// Parents are created searchable (0755) so the postgres user can reach the cluster
	// folder, which itself stays private (0700) as PostgreSQL requires.
	if err := os.MkdirAll(filepath.Dir(c.Dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(c.Dir, 0o700); err != nil && !os.IsExist(err) {
		return err
	}
	if entries, _ := os.ReadDir(c.Dir); len(entries) > 0 {
		return fmt.Errorf("data folder %s is not empty and holds no PostgreSQL cluster", c.Dir)
	}
	if err := c.checkReachable(); err != nil {
		return err
	}
	if err := c.chown(c.Dir); err != nil {
		return err
	}
	superPW, ownerPW := newPassword(), newPassword()
	pwTmp, err := os.CreateTemp("", "landreg-pw-")
	if err != nil {
		return err
	}
	defer os.Remove(pwTmp.Name())
	pwTmp.WriteString(superPW + "\n")
	pwTmp.Close()
	if err := c.chown(pwTmp.Name()); err != nil {
		return err
	}
	_, err = c.run(ctx, "initdb", "-D", c.Dir, "-U", Superuser, "-E", "UTF8", "--locale=C.UTF-8",
		"--auth=scram-sha-256", "--pwfile="+pwTmp.Name())
	if err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	if err := c.writePrivate(superPasswordFile, superPW+"\n"); err != nil {
		return err
	}
	if err := c.writePrivate(ownerPasswordFile, ownerPW+"\n"); err != nil {
		return err
	}
	return c.writePrivate(hbaFile, hbaConf)
}

// Running reports whether a postmaster serves Dir, and on which port; when it does,
// the handle is attached to it (URL works).
func (c *Cluster) Running(ctx context.Context) (bool, int) {
	if !c.Initialized() {
		return false, 0
	}
	if _, err := c.run(ctx, "pg_ctl", "status", "-D", c.Dir); err != nil {
		return false, 0
	}
	b, err := os.ReadFile(filepath.Join(c.Dir, "postmaster.pid"))
	if err != nil {
		return false, 0
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return false, 0
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil {
		return false, 0
	}
	c.port = port
	return true, port
}

// Start starts the cluster on 127.0.0.1:port (0 = the port used last time if free,
// else any free port). It reports whether this call started it (false = reused).
func (c *Cluster) Start(ctx context.Context, port int) (started bool, err error) {
	if running, _ := c.Running(ctx); running {
		return false, nil
	}
	if port == 0 {
		port = c.lastPort()
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return false, err
		}
	}
	opts := []string{
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories='" + c.Dir + "'",
		"-c", "max_connections=100",
		"-c", "shared_buffers=" + sharedBuffers(memTotal()),
		"-c", "timezone=UTC",
	}
	opts = append(opts, c.standbyOptions()...)
	if c.Fast {
		opts = append(opts, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logPath := filepath.Join(c.Dir, logFile)
	out, err := c.run(ctx, "pg_ctl", "start", "-D", c.Dir, "-w", "-t", "60", "-l", logPath, "-o", strings.Join(opts, " "))
	if err != nil {
		tail := lastLines(logPath, 8)
		return false, fmt.Errorf("pg_ctl start: %w\n%s%s", err, out, tail)
	}
	c.port = port
	// Owned by the server's user like every file of Dir, so pg_basebackup can copy Dir.
	c.writePrivate(portFile, strconv.Itoa(port)+"\n")
	return true, nil
}

// sharedBuffers sizes PostgreSQL's buffer cache for a machine of total bytes of memory:
// a quarter of it (the PostgreSQL manual's starting point for a server that runs the
// database), between 256 MB and 8 GB, in MB. The registry's whole-city reads scan the
// status timeline, several times the size of the parcels: through a cache smaller than
// the table every page is copied in from the kernel's cache again on each read. Unknown
// memory (not Linux) keeps the floor. Shared memory is only backed as it is used.
func sharedBuffers(total uint64) string {
	mb := total / 4 >> 20
	mb = min(max(mb, 256), 8192)
	return strconv.FormatUint(mb, 10) + "MB"
}

// memTotal is the machine's memory in bytes from /proc/meminfo (0 when unknown).
func memTotal() uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// Stop stops the cluster (fast shutdown: open transactions are rolled back).
func (c *Cluster) Stop(ctx context.Context) error {
	if running, _ := c.Running(ctx); !running {
		return nil
	}
	if out, err := c.run(ctx, "pg_ctl", "stop", "-D", c.Dir, "-m", "fast", "-w", "-t", "60"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

// URL is the unix-socket connection URL for database db as the owner role, with its
// password: what landreg itself uses.
func (c *Cluster) URL(db string) string { return c.socketURL(Owner, ownerPasswordFile, db) }

// SuperuserURL is the unix-socket URL for database db as the set-up superuser.
func (c *Cluster) SuperuserURL(db string) string {
	return c.socketURL(Superuser, superPasswordFile, db)
}

// TCPURL is the owner's 127.0.0.1 connection URL with password, for QGIS, psql or ogr2ogr.
func (c *Cluster) TCPURL(db string) string { return c.tcpURL(Owner, ownerPasswordFile, db) }

// SuperuserTCPURL is the set-up superuser's 127.0.0.1 connection URL with password.
func (c *Cluster) SuperuserTCPURL(db string) string {
	return c.tcpURL(Superuser, superPasswordFile, db)
}

func (c *Cluster) socketURL(role, pwFile, db string) string {
	return c.urlFor(role, c.password(pwFile), db)
}

func (c *Cluster) urlFor(role, password, db string) string {
	q := url.Values{"host": {c.Dir}, "port": {strconv.Itoa(c.port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.UserPassword(role, password), Path: "/" + db, RawQuery: q.Encode()}).String()
}

func (c *Cluster) tcpURL(role, pwFile, db string) string {
	return (&url.URL{Scheme: "postgres", User: url.UserPassword(role, c.password(pwFile)),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + db, RawQuery: "sslmode=disable"}).String()
}

// password reads a password file of Dir ("" when it is missing).
func (c *Cluster) password(name string) string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, name))
	return strings.TrimSpace(string(b))
}

// Setup makes the running cluster ready for landreg, as the superuser; it is
// idempotent and runs on every start or reuse of the cluster:
//
//   - a cluster made before issue 11, whose landreg role was the bootstrap superuser and
//     whose unix socket used trust, is converted (convertLegacy);
//   - a pg_hba.conf with any trust rule is replaced by landreg's (SCRAM everywhere);
//   - the owner role exists, with LOGIN and none of SUPERUSER, CREATEDB, CREATEROLE,
//     REPLICATION, BYPASSRLS; the NOLOGIN groups landreg_reader and landreg_planner
//     exist, the planners in the readers, and the owner holds the readers' ADMIN OPTION
//     (schema/grants.sql grants landreg_reader to landreg_planner as the owner);
//   - database db exists, is owned by the owner (so, in PostgreSQL 15, is its public
//     schema), and has PostGIS, which only a superuser may create.
func (c *Cluster) Setup(ctx context.Context, db string) error {
	conn, err := c.superConn(ctx, db)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Two landreg processes starting on one cluster would race on CREATE ROLE and ALTER
	// ROLE; the lock goes with the connection.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(setupLock)); err != nil {
		return err
	}
	if err := c.ensureHBA(ctx, conn); err != nil {
		return err
	}
	if err := c.ensureRoles(ctx, conn); err != nil {
		return err
	}
	var avail bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&avail); err != nil {
		return err
	}
	if !avail {
		return errors.New("PostGIS is not installed for PostgreSQL 15: apt-get install postgresql-15-postgis-3")
	}
	var owner string
	err = conn.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1`, db).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident(db)+" OWNER "+ident(Owner)); err != nil {
			return fmt.Errorf("creating database %s: %w", db, err)
		}
	case err != nil:
		return err
	case owner != Owner:
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident(db)+" OWNER TO "+ident(Owner)); err != nil {
			return err
		}
	}
	dbConn, err := pgx.Connect(ctx, c.SuperuserURL(db))
	if err != nil {
		return err
	}
	defer dbConn.Close(context.WithoutCancel(ctx))
	if _, err := dbConn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		return fmt.Errorf("CREATE EXTENSION postgis in %s: %w", db, err)
	}
	return nil
}

// superConn connects to database postgres as the superuser, converting a cluster made
// before issue 11 on the way.
func (c *Cluster) superConn(ctx context.Context, db string) (*pgx.Conn, error) {
	var superErr error = errors.New(superPasswordFile + " is missing")
	for attempt := 0; attempt < 2; attempt++ {
		if pw := c.password(superPasswordFile); pw != "" {
			conn, err := pgx.Connect(ctx, c.urlFor(Superuser, pw, "postgres"))
			if err == nil {
				return conn, nil
			}
			superErr = err
		}
		// Before issue 11 the owner was the bootstrap superuser (OID 10) and the socket
		// trusted everyone; its password file is the one the owner keeps.
		boot, err := pgx.Connect(ctx, c.URL("postgres"))
		if err != nil {
			break
		}
		// Under the set-up lock, so that of two processes starting at once one converts
		// and the other, once the first is done, finds a converted cluster.
		var legacy bool
		_, err = boot.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(setupLock))
		if err == nil {
			err = boot.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE oid = 10 AND rolname = $1 AND rolsuper)`, Owner).Scan(&legacy)
		}
		if err == nil && legacy {
			conn, err := c.convertLegacy(ctx, boot, db)
			boot.Close(ctx)
			return conn, err
		}
		boot.Close(ctx)
		if err != nil {
			superErr = err
			break
		}
	}
	return nil, fmt.Errorf("cannot connect to the private cluster in %s as its superuser %s (password in %s): %s",
		c.Dir, Superuser, filepath.Join(c.Dir, superPasswordFile), oneLine(superErr))
}

// convertLegacy turns a cluster made before issue 11 into today's layout, in place and
// online; boot is a session of the old superuser, holding the set-up lock. The bootstrap
// superuser "landreg" is renamed landreg_super (new password in landreg_super.password),
// a new non-superuser "landreg" takes over the old password and the ownership of
// database db and of everything in it that is not an extension's, and Setup then
// replaces the trust rules of pg_hba.conf.
//
// Demoting the bootstrap role instead (ALTER ROLE landreg NOSUPERUSER, which PostgreSQL
// 15 allows and 16 forbids) is not safe: it still owns the system catalogs and built-in
// functions, so it could still read pg_authid and, with pg_read_file, the superuser's
// password file in the data folder. REASSIGN OWNED refuses the bootstrap role, so
// ownership moves object by object (transferOwnedSQL). Every step can be repeated: a
// conversion cut short is finished by the next start.
func (c *Cluster) convertLegacy(ctx context.Context, boot *pgx.Conn, db string) (*pgx.Conn, error) {
	fail := func(err error) (*pgx.Conn, error) {
		return nil, fmt.Errorf("converting the private cluster in %s to a non-superuser landreg role: %w", c.Dir, err)
	}
	superPW := c.password(superPasswordFile)
	if superPW == "" {
		superPW = newPassword()
		if err := c.writePrivate(superPasswordFile, superPW+"\n"); err != nil {
			return fail(err)
		}
	}
	ownerPW := c.password(ownerPasswordFile)
	if ownerPW == "" {
		ownerPW = newPassword()
		if err := c.writePrivate(ownerPasswordFile, ownerPW+"\n"); err != nil {
			return fail(err)
		}
	}
	// A role cannot rename itself: a short-lived second superuser does it.
	tmpPW := newPassword()
	var dbExists bool
	err := boot.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, db).Scan(&dbExists)
	if err == nil {
		_, err = boot.Exec(ctx, "DROP ROLE IF EXISTS "+ident(convertRole))
	}
	if err == nil {
		_, err = boot.Exec(ctx, "CREATE ROLE "+ident(convertRole)+" SUPERUSER LOGIN PASSWORD "+literal(scramVerifier(tmpPW)))
	}
	if err != nil {
		return fail(err)
	}
	in := "postgres"
	if dbExists {
		in = db
	}
	tmp, err := pgx.Connect(ctx, c.urlFor(convertRole, tmpPW, in))
	if err != nil {
		return fail(err)
	}
	err = pgx.BeginFunc(ctx, tmp, func(tx pgx.Tx) error {
		for _, q := range []string{
			"ALTER ROLE " + ident(Owner) + " RENAME TO " + ident(Superuser),
			"ALTER ROLE " + ident(Superuser) + " PASSWORD " + literal(scramVerifier(superPW)),
			"CREATE ROLE " + ident(Owner) + " LOGIN PASSWORD " + literal(scramVerifier(ownerPW)),
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		if !dbExists {
			return nil
		}
		rows, err := tx.Query(ctx, transferOwnedSQL, Superuser, Owner)
		if err != nil {
			return err
		}
		stmts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		stmts = append(stmts, "ALTER DATABASE "+ident(db)+" OWNER TO "+ident(Owner))
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	tmp.Close(ctx)
	if err != nil {
		return fail(err)
	}
	conn, err := pgx.Connect(ctx, c.urlFor(Superuser, superPW, "postgres"))
	if err != nil {
		return fail(err)
	}
	return conn, nil
}

// transferOwnedSQL lists the ALTER … OWNER TO $2 statements for everything in the
// current database that role $1 owns, leaving out the system's schemas and what an
// extension (PostGIS) owns. Sequences of identity and serial columns, indexes, row and
// array types follow their table or type.
const transferOwnedSQL = `
WITH ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
)
SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $2::text)
FROM ns n JOIN pg_namespace s ON s.oid = n.oid
WHERE s.nspowner = $1::text::regrole
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_namespace'::regclass AND objid = n.oid)
UNION ALL
SELECT format('ALTER %s %s OWNER TO %I', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
  WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, c.oid::regclass, $2::text)
FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
WHERE c.relowner = $1::text::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_type'::regclass AND objid = c.reltype)
  AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
    AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT format('ALTER %s %s OWNER TO %I', CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE'
  ELSE 'FUNCTION' END, p.oid::regprocedure, $2::text)
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.proowner = $1::text::regrole
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_proc'::regclass AND objid = p.oid)
UNION ALL
SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, $2::text)
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.typowner = $1::text::regrole AND t.typtype IN ('e', 'd', 'r') AND t.typrelid = 0
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)
UNION ALL
SELECT format('ALTER OPERATOR %s OWNER TO %I', o.oid::regoperator, $2::text)
FROM pg_operator o JOIN ns ON ns.oid = o.oprnamespace
WHERE o.oprowner = $1::text::regrole
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_operator'::regclass AND objid = o.oid)
UNION ALL
SELECT format('ALTER STATISTICS %I.%I OWNER TO %I', ns.nspname, s.stxname, $2::text)
FROM pg_statistic_ext s JOIN ns ON ns.oid = s.stxnamespace
WHERE s.stxowner = $1::text::regrole
UNION ALL
SELECT format('ALTER TEXT SEARCH CONFIGURATION %s OWNER TO %I', t.oid::regconfig, $2::text)
FROM pg_ts_config t JOIN ns ON ns.oid = t.cfgnamespace
WHERE t.cfgowner = $1::text::regrole
  AND NOT EXISTS (SELECT FROM ext WHERE classid = 'pg_ts_config'::regclass AND objid = t.oid)`

// ensureHBA replaces a pg_hba.conf that trusts anyone (the layout before issue 11) with
// landreg's, keeping the old one as pg_hba.conf.old, and waits until the server has
// reloaded it. It also reloads landreg's file when the server has not loaded it yet (a
// conversion cut short between writing and reloading).
func (c *Cluster) ensureHBA(ctx context.Context, conn *pgx.Conn) error {
	var trust bool
	var loaded time.Time
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_hba_file_rules WHERE auth_method = 'trust'), pg_conf_load_time()`).Scan(&trust, &loaded)
	if err != nil {
		return err
	}
	path := filepath.Join(c.Dir, hbaFile)
	if !trust {
		b, err := os.ReadFile(path)
		fi, serr := os.Stat(path)
		if err != nil || serr != nil || string(b) != hbaConf || !fi.ModTime().After(loaded) {
			return nil
		}
	} else {
		if old, err := os.ReadFile(path); err == nil {
			if err := c.writePrivate(hbaFile+".old", string(old)); err != nil {
				return err
			}
		}
		if err := c.writePrivate(hbaFile, hbaConf); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, `SELECT pg_reload_conf()`); err != nil {
		return err
	}
	// The postmaster reloads asynchronously; a new backend inherits its load time.
	for deadline := time.Now().Add(30 * time.Second); ; {
		var again time.Time
		probe, err := pgx.Connect(ctx, c.SuperuserURL("postgres"))
		if err == nil {
			err = probe.QueryRow(ctx, `SELECT pg_conf_load_time()`).Scan(&again)
			probe.Close(ctx)
		}
		if err == nil && again.After(loaded) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server in %s did not reload %s: %v", c.Dir, hbaFile, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ensureRoles creates the owner and the group roles if missing and enforces the owner's
// attributes. It changes the catalog only where something differs.
func (c *Cluster) ensureRoles(ctx context.Context, conn *pgx.Conn) error {
	var stmts []string
	var leftover bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, convertRole).Scan(&leftover); err != nil {
		return err
	}
	if leftover {
		stmts = append(stmts, "DROP ROLE "+ident(convertRole))
	}
	var login, powers bool
	err := conn.QueryRow(ctx, `SELECT rolcanlogin, rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls
FROM pg_roles WHERE rolname = $1`, Owner).Scan(&login, &powers)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		pw := c.password(ownerPasswordFile)
		if pw == "" {
			pw = newPassword()
			if err := c.writePrivate(ownerPasswordFile, pw+"\n"); err != nil {
				return err
			}
		}
		stmts = append(stmts, "CREATE ROLE "+ident(Owner)+" LOGIN PASSWORD "+literal(scramVerifier(pw)))
	case err != nil:
		return err
	case !login || powers:
		stmts = append(stmts, "ALTER ROLE "+ident(Owner)+" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
	}
	for _, g := range []string{ReaderRole, PlannerRole} {
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, g).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			stmts = append(stmts, "CREATE ROLE "+ident(g)+" NOLOGIN")
		}
	}
	for _, m := range []struct {
		group, member string
		admin         bool
	}{{ReaderRole, PlannerRole, false}, {ReaderRole, Owner, true}} {
		var have bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_auth_members
WHERE roleid = to_regrole($1) AND member = to_regrole($2::text) AND (admin_option OR NOT $3))`, m.group, m.member, m.admin).Scan(&have)
		if err != nil {
			return err
		}
		if !have {
			q := "GRANT " + ident(m.group) + " TO " + ident(m.member)
			if m.admin {
				q += " WITH ADMIN OPTION"
			}
			stmts = append(stmts, q)
		}
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", strings.SplitN(q, " PASSWORD ", 2)[0], err)
		}
	}
	return nil
}

func (c *Cluster) lastPort() int {
	b, err := os.ReadFile(filepath.Join(c.Dir, portFile))
	if err != nil {
		return 0
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return 0
	}
	l.Close()
	return p
}

// run executes a PostgreSQL binary, as the postgres system user when we are root.
func (c *Cluster) run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, name), args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if c.osUser != nil {
		uid, _ := strconv.Atoi(c.osUser.Uid)
		gid, _ := strconv.Atoi(c.osUser.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Env = append(cmd.Env, "HOME="+c.osUser.HomeDir, "USER=postgres")
	}
	// pg_ctl start leaves the postmaster running with our pipes as its stdout unless
	// -l is given; we always pass -l, so Wait returns when pg_ctl exits.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.String(), err
}

func (c *Cluster) chown(path string) error {
	if c.osUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.osUser.Uid)
	gid, _ := strconv.Atoi(c.osUser.Gid)
	return os.Chown(path, uid, gid)
}

// checkReachable verifies, when running as root, that the postgres user can reach Dir:
// every parent folder must be searchable by others (a 0700 home folder is not).
func (c *Cluster) checkReachable() error {
	if c.osUser == nil {
		return nil
	}
	for p := filepath.Dir(c.Dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the postgres system user cannot reach %s: folder %s is not searchable by others (chmod o+x %s, or choose another --data-dir)", c.Dir, p, p)
		}
		if p == "/" {
			return nil
		}
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

func lastLines(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writePrivate writes a file of Dir readable by its owner only (the postgres user when
// running as root), replacing it atomically.
func (c *Cluster) writePrivate(name, content string) error {
	path := filepath.Join(c.Dir, name)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	if err := c.chown(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// newPassword is 144 random bits in hex.
func newPassword() string {
	b := make([]byte, 18)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// scramVerifier is what PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5803 form).
// Passing it to CREATE/ALTER ROLE … PASSWORD keeps the password itself out of the SQL,
// and so out of the server's log should the statement fail.
func scramVerifier(password string) string {
	const iterations = 4096
	salt := make([]byte, 16)
	rand.Read(salt)
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		panic(err) // only for key lengths out of range
	}
	mac := func(msg string) []byte {
		h := hmac.New(sha256.New, salted)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	stored := sha256.Sum256(mac("Client Key"))
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(stored[:]), b64(mac("Server Key")))
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
