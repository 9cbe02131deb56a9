package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/landreg/landreg/pgcluster"
	"github.com/landreg/landreg/store"
)

// dbFlags select the database: DATABASE_URL, or the private cluster in --data-dir.
type dbFlags struct {
	url     string
	dataDir string
	pgBin   string
	pgPort  int
	// allowSuperuser accepts a DATABASE_URL role with more power than landreg needs.
	allowSuperuser bool
}

// dbName is the database landreg uses inside its private cluster.
const dbName = "landreg"

func (f *dbFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.url, "database-url", os.Getenv("DATABASE_URL"),
		"PostgreSQL URL (env DATABASE_URL); when empty, a private cluster under --data-dir is used")
	cmd.Flags().StringVar(&f.dataDir, "data-dir", envOr("LANDREG_DATA_DIR", "./data/pg"),
		"folder of the private PostgreSQL cluster (env LANDREG_DATA_DIR)")
	cmd.Flags().StringVar(&f.pgBin, "pg-bin", envOr("LANDREG_PG_BIN", pgcluster.DefaultBinDir),
		"folder of the PostgreSQL 15 server binaries (env LANDREG_PG_BIN)")
	cmd.Flags().IntVar(&f.pgPort, "pg-port", 0, "TCP port of the private cluster on 127.0.0.1 (0 = last used or any free port)")
	cmd.Flags().BoolVar(&f.allowSuperuser, "allow-superuser", false,
		"run even if the DATABASE_URL role is a superuser or has CREATEROLE or BYPASSRLS (not recommended)")
}

// session is an open database, with the cluster that was started for it, if any.
type session struct {
	pool     *pgxpool.Pool
	cluster  *pgcluster.Cluster
	started  bool // this process started the cluster and must stop it
	embedded bool
}

// open connects to DATABASE_URL, or starts (or reuses) the private cluster.
func (f *dbFlags) open(ctx context.Context, log zerolog.Logger, opt store.Options) (*session, error) {
	s := &session{}
	url := f.url
	if url == "" {
		c, err := pgcluster.New(f.dataDir, f.pgBin)
		if err != nil {
			return nil, err
		}
		if !c.Initialized() {
			log.Info().Str("data_dir", c.Dir).Msg("creating private PostgreSQL cluster")
			if err := c.Init(ctx); err != nil {
				return nil, err
			}
		}
		started, err := c.Start(ctx, f.pgPort)
		if err != nil {
			return nil, err
		}
		s.cluster, s.started, s.embedded = c, started, true
		log.Info().Str("data_dir", c.Dir).Int("port", c.Port()).Bool("reused", !started).Msg("private PostgreSQL cluster up")
		// Roles, database and PostGIS, as the set-up superuser; landreg itself connects
		// as the owner role. A standby has its primary's and cannot write.
		if c.IsStandby() {
			log.Info().Str("data_dir", c.Dir).Msg("the private cluster is a hot standby: read-only")
		} else if err := c.Setup(ctx, dbName); err != nil {
			s.close(ctx, log)
			return nil, err
		}
		url = c.URL(dbName)
	}
	pool, err := store.Open(ctx, url, opt)
	if err != nil {
		s.close(ctx, log)
		return nil, err
	}
	s.pool = pool
	if err := checkRole(ctx, pool, f.allowSuperuser); err != nil {
		s.close(ctx, log)
		return nil, err
	}
	return s, nil
}

// close releases the pool and stops the cluster if this process started it.
func (s *session) close(ctx context.Context, log zerolog.Logger) {
	if s.pool != nil {
		s.pool.Close()
	}
	if s.cluster != nil && s.started {
		if err := s.cluster.Stop(context.WithoutCancel(ctx)); err != nil {
			log.Error().Err(err).Msg("stopping private cluster")
		} else {
			log.Info().Msg("private PostgreSQL cluster stopped")
		}
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// newLogger writes JSON log lines with a timestamp to w.
func newLogger(w io.Writer) zerolog.Logger {
	return zerolog.New(w).With().Timestamp().Logger()
}

func dbCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the private PostgreSQL + PostGIS cluster under --data-dir",
	}
	var dataDir, pgBin string
	var port int
	var fast bool
	cmd.PersistentFlags().StringVar(&dataDir, "data-dir", envOr("LANDREG_DATA_DIR", "./data/pg"), "folder of the private cluster (env LANDREG_DATA_DIR)")
	cmd.PersistentFlags().StringVar(&pgBin, "pg-bin", envOr("LANDREG_PG_BIN", pgcluster.DefaultBinDir), "folder of the PostgreSQL 15 server binaries")
	cluster := func() (*pgcluster.Cluster, error) { return pgcluster.New(dataDir, pgBin) }

	start := &cobra.Command{
		Use:   "start",
		Short: "Create (if needed) and start the cluster; print its connection URL",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			c.Fast = fast
			if err := c.Init(cmd.Context()); err != nil {
				return err
			}
			if _, err := c.Start(cmd.Context(), port); err != nil {
				return err
			}
			// A standby is a byte copy of its primary's set-up and cannot write.
			if !c.IsStandby() {
				if err := c.Setup(cmd.Context(), dbName); err != nil {
					return err
				}
			}
			// stdout carries only the URL so scripts can capture it.
			fmt.Fprintln(cmd.OutOrStdout(), c.URL(dbName))
			fmt.Fprintln(cmd.ErrOrStderr(), "TCP (QGIS, psql):", c.TCPURL(dbName))
			fmt.Fprintln(cmd.ErrOrStderr(), "set-up superuser (planner logins): landreg db url --superuser")
			return nil
		},
	}
	start.Flags().IntVar(&port, "port", 0, "TCP port on 127.0.0.1 (0 = last used or any free port)")
	start.Flags().BoolVar(&fast, "fast", false, "turn off fsync: for throwaway test clusters only")

	stop := &cobra.Command{
		Use:   "stop",
		Short: "Stop the cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			return c.Stop(cmd.Context())
		},
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Say whether the cluster runs, and where",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			if !c.Initialized() {
				return fmt.Errorf("no cluster in %s", c.Dir)
			}
			running, port := c.Running(cmd.Context())
			if !running {
				fmt.Fprintf(cmd.OutOrStdout(), "stopped (%s)\n", c.Dir)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "running on 127.0.0.1:%d (%s)\n%s\n", port, c.Dir, c.URL(dbName))
			return nil
		},
	}
	var superuser, tcp bool
	var database string
	urlCmd := &cobra.Command{
		Use:   "url",
		Short: "Print a connection URL of the running cluster, with its password",
		Long: `Print a connection URL of the running cluster, with its password.

By default the URL of the owner role landreg, which landreg itself uses, over the unix
socket in --data-dir. --superuser gives the set-up superuser landreg_super instead, for
what only it may do: creating logins for planners, e.g.

  psql "$(landreg db url --superuser)" -c "CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE landreg_planner"

--tcp gives the 127.0.0.1 form (QGIS, ogr2ogr, another machine's tunnel).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cluster()
			if err != nil {
				return err
			}
			if running, _ := c.Running(cmd.Context()); !running {
				return fmt.Errorf("no cluster is running in %s (landreg db start)", c.Dir)
			}
			u := c.URL
			switch {
			case superuser && tcp:
				u = c.SuperuserTCPURL
			case superuser:
				u = c.SuperuserURL
			case tcp:
				u = c.TCPURL
			}
			fmt.Fprintln(cmd.OutOrStdout(), u(database))
			return nil
		},
	}
	urlCmd.Flags().BoolVar(&superuser, "superuser", false, "the set-up superuser landreg_super instead of the owner role")
	urlCmd.Flags().BoolVar(&tcp, "tcp", false, "over TCP on 127.0.0.1 instead of the unix socket")
	urlCmd.Flags().StringVar(&database, "database", dbName, "database name")
	var primaryDir string
	standby := &cobra.Command{
		Use:   "standby",
		Short: "Create (if needed) and start a hot standby of the private cluster in --primary-data-dir; print its URL",
		Long: `Create (if needed) and start a streaming hot standby (备库) of the private cluster in
--primary-data-dir, in --data-dir: pg_basebackup -R over the primary's unix socket as the
replication role landreg_replicator (created on the primary, its password in
landreg_replicator.password), then started on a port of its own. The standby is a byte
copy: the same roles and passwords, so "landreg db url --data-dir DIR" works on it, and
"landreg db stop --data-dir DIR" stops it. Give its URL to "landreg serve
--read-database-url".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if primaryDir == "" {
				return fmt.Errorf("--primary-data-dir is required")
			}
			c, err := cluster()
			if err != nil {
				return err
			}
			p, err := pgcluster.New(primaryDir, pgBin)
			if err != nil {
				return err
			}
			c.Fast = fast
			if err := c.InitStandby(cmd.Context(), p); err != nil {
				return err
			}
			if _, err := c.Start(cmd.Context(), port); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), c.URL(dbName))
			fmt.Fprintln(cmd.ErrOrStderr(), "TCP (QGIS, psql, read-only):", c.TCPURL(dbName))
			return nil
		},
	}
	standby.Flags().StringVar(&primaryDir, "primary-data-dir", "", "folder of the running private cluster to copy and follow")
	standby.Flags().IntVar(&port, "port", 0, "TCP port on 127.0.0.1 (0 = last used or any free port)")
	standby.Flags().BoolVar(&fast, "fast", false, "turn off fsync: for throwaway test clusters only")
	cmd.AddCommand(start, stop, status, urlCmd, standby)
	return cmd
}

// withDB runs fn on the selected database (starting the private cluster if needed and
// stopping it after), for the commands that do one job and exit.
func (f *dbFlags) withDB(cmd *cobra.Command, fn func(ctx context.Context, pool *pgxpool.Pool) error) error {
	log := newLogger(os.Stderr)
	sess, err := f.open(cmd.Context(), log, store.Options{})
	if err != nil {
		return err
	}
	defer sess.close(cmd.Context(), log)
	return fn(cmd.Context(), sess.pool)
}
