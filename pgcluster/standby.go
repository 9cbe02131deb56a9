package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ReplicatorRole is the role a streaming standby (备库) logs in as to the primary: LOGIN
// REPLICATION and nothing else, so a standby's stored connection string opens no
// database of the primary.
const ReplicatorRole = "landreg_replicator"

const (
	replicatorPasswordFile = "landreg_replicator.password"
	standbySignal          = "standby.signal"
)

// IsStandby reports whether Dir holds a standby (standby.signal, written by
// pg_basebackup -R): it must not be set up (Setup writes) and it serves reads only.
func (c *Cluster) IsStandby() bool {
	_, err := os.Stat(filepath.Join(c.Dir, standbySignal))
	return err == nil
}

// EnsureReplicator creates (or re-passwords to its file) the replication role of the
// running primary, and returns its password, kept in Dir/landreg_replicator.password.
func (c *Cluster) EnsureReplicator(ctx context.Context) (string, error) {
	conn, err := c.superConn(ctx, "postgres")
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	pw := c.password(replicatorPasswordFile)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, ReplicatorRole).Scan(&exists); err != nil {
		return "", err
	}
	if exists && pw != "" {
		return pw, nil
	}
	pw = newPassword()
	if err := c.writePrivate(replicatorPasswordFile, pw+"\n"); err != nil {
		return "", err
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	q := verb + " ROLE " + ident(ReplicatorRole) + " LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD " + literal(scramVerifier(pw))
	if _, err := conn.Exec(ctx, q); err != nil {
		return "", fmt.Errorf("%s ROLE %s: %w", verb, ReplicatorRole, err)
	}
	return pw, nil
}

// InitStandby makes Dir a hot standby of the running primary: a byte copy taken by
// pg_basebackup over the primary's unix socket as ReplicatorRole, with -R (standby.signal
// and primary_conninfo) and the WAL streamed during the copy. Being a byte copy, the
// standby has the primary's roles and passwords, and its password files. Start then
// starts it on a port of its own. A Dir that already holds a standby is left as it is.
func (c *Cluster) InitStandby(ctx context.Context, primary *Cluster) error {
	if c.Initialized() {
		if !c.IsStandby() {
			return fmt.Errorf("%s already holds a cluster that is not a standby", c.Dir)
		}
		return nil
	}
	if c.Dir == primary.Dir {
		return errors.New("the standby needs a data folder of its own")
	}
	running, port := primary.Running(ctx)
	if !running {
		return fmt.Errorf("the primary in %s is not running (landreg db start --data-dir %s)", primary.Dir, primary.Dir)
	}
	// A port file written before it was owned by the server's user would stop the copy.
	primary.chown(filepath.Join(primary.Dir, portFile))
	pw, err := primary.EnsureReplicator(ctx)
	if err != nil {
		return err
	}
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
	conninfo := fmt.Sprintf("host='%s' port=%d user=%s password=%s sslmode=disable application_name=%s",
		primary.Dir, port, ReplicatorRole, pw, filepath.Base(c.Dir))
	if out, err := c.run(ctx, "pg_basebackup", "-D", c.Dir, "-d", conninfo, "-R", "-X", "stream", "-c", "fast", "-w"); err != nil {
		os.RemoveAll(c.Dir)
		return fmt.Errorf("pg_basebackup: %w: %s", err, out)
	}
	// The primary's port and log came along in the copy; the standby has its own.
	for _, f := range []string{portFile, logFile} {
		os.Remove(filepath.Join(c.Dir, f))
	}
	locks, _ := filepath.Glob(filepath.Join(c.Dir, ".s.PGSQL.*.lock"))
	for _, f := range locks {
		os.Remove(f)
	}
	return nil
}

// standbyOptions are the server settings a standby starts with.
func (c *Cluster) standbyOptions() []string {
	if !c.IsStandby() {
		return nil
	}
	// hot_standby is PostgreSQL 15's default; said here so a changed default cannot turn
	// a read replica into one that refuses connections. The feedback keeps the primary's
	// vacuum from removing rows a long read on the standby still needs.
	return []string{"-c", "hot_standby=on", "-c", "hot_standby_feedback=on"}
}
