// Package pgcluster runs a private PostgreSQL + PostGIS cluster under a data folder,
// using the system's PostgreSQL binaries. It backs the "embedded default" database of
// `landreg serve` and the throwaway clusters of the test suite.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/rand"
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

// Superuser is the bootstrap role of a private cluster.
const Superuser = "landreg"

// DefaultBinDir is where Debian's postgresql-15 puts its server binaries.
const DefaultBinDir = "/usr/lib/postgresql/15/bin"

const (
	passwordFile = "landreg.password"
	portFile     = "landreg.port"
	logFile      = "server.log"
)

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

// Init creates the cluster if Dir holds none. The superuser may connect over the unix
// socket in Dir without a password (the folder is private to its owner) and over TCP
// with the generated password kept in Dir/landreg.password.
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
	pw := make([]byte, 18)
	if _, err := rand.Read(pw); err != nil {
		return err
	}
	pwTmp, err := os.CreateTemp("", "landreg-pw-")
	if err != nil {
		return err
	}
	defer os.Remove(pwTmp.Name())
	password := hex.EncodeToString(pw)
	pwTmp.WriteString(password + "\n")
	pwTmp.Close()
	if err := c.chown(pwTmp.Name()); err != nil {
		return err
	}
	_, err = c.run(ctx, "initdb", "-D", c.Dir, "-U", Superuser, "-E", "UTF8", "--locale=C.UTF-8",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwTmp.Name())
	if err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, passwordFile), []byte(password+"\n"), 0o600); err != nil {
		return err
	}
	return c.chown(filepath.Join(c.Dir, passwordFile))
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
		"-c", "shared_buffers=256MB",
		"-c", "timezone=UTC",
	}
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
	os.WriteFile(filepath.Join(c.Dir, portFile), []byte(strconv.Itoa(port)+"\n"), 0o600)
	return true, nil
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

// URL is the unix-socket connection URL for database db.
func (c *Cluster) URL(db string) string {
	q := url.Values{"host": {c.Dir}, "port": {strconv.Itoa(c.port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User(Superuser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// TCPURL is the 127.0.0.1 connection URL with password, for QGIS, psql or ogr2ogr.
func (c *Cluster) TCPURL(db string) string {
	pw, _ := os.ReadFile(filepath.Join(c.Dir, passwordFile))
	return (&url.URL{Scheme: "postgres", User: url.UserPassword(Superuser, strings.TrimSpace(string(pw))),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + db, RawQuery: "sslmode=disable"}).String()
}

// EnsureDatabase creates database db (with PostGIS available) if it does not exist.
func (c *Cluster) EnsureDatabase(ctx context.Context, db string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var avail bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&avail); err != nil {
		return err
	}
	if !avail {
		return errors.New("PostGIS is not installed for PostgreSQL 15: apt-get install postgresql-15-postgis-3")
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, db).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize())
	return err
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
