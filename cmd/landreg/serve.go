package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/migrations"
	"github.com/landreg/landreg/store"
)

func serveCmd() *cobra.Command {
	var db dbFlags
	var addr, baseURL string
	var noFixtures bool
	var stmtTimeout time.Duration
	var limits api.Limits
	var maxConns int32
	var authReads bool
	var debugAddr string
	var maxUpload string
	var readURLs []string
	var readMaxLag time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server (OGC API – Features, /v1 API, map)",
		Long: `Run the HTTP server.

Without DATABASE_URL, serve starts (or reuses) a private PostgreSQL + PostGIS cluster
under --data-dir, applies migrations, loads the demo fixtures into an empty database,
and stops the cluster on exit if it started it. With DATABASE_URL it only migrates.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			// The server's log goes out in batches (at most 200 ms late); the rest of
			// the commands write theirs at once.
			logOut := newLogBuffer(os.Stderr, 64<<10, 200*time.Millisecond)
			defer logOut.Close()
			log := newLogger(logOut)
			t0 := time.Now()
			upload, err := parseSize(maxUpload)
			if err != nil {
				return fmt.Errorf("--max-upload: %w", err)
			}
			// What uploads of an earlier run left behind when it was killed; an hour's
			// margin spares the files of any import still running.
			if removed, err := api.RemoveStaleUploads(os.TempDir(), time.Now().Add(-time.Hour)); err != nil {
				log.Warn().Err(err).Msg("cleaning the temp folder")
			} else if len(removed) > 0 {
				log.Info().Strs("removed", removed).Str("dir", os.TempDir()).Msg("stale upload files removed")
			}

			sess, err := db.open(ctx, log, store.Options{MaxConns: maxConns, StatementTimeout: stmtTimeout})
			if err != nil {
				return err
			}
			defer sess.close(ctx, log)

			// A server given only a hot standby serves reads: the primary migrates.
			var standbyOnly bool
			if err := sess.pool.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standbyOnly); err != nil {
				return err
			}
			if standbyOnly {
				log.Warn().Msg("the database is a hot standby: serving reads only, writes are answered 503 read-only")
			} else {
				applied, err := migrations.Up(ctx, sess.pool)
				if err != nil {
					return err
				}
				if len(applied) > 0 {
					log.Info().Strs("applied", applied).Msg("migrations applied")
				}
			}
			var readPools []*pgxpool.Pool
			for _, u := range readURLs {
				p, err := store.Open(ctx, u, store.Options{MaxConns: maxConns, StatementTimeout: stmtTimeout, Lazy: true})
				if err != nil {
					return fmt.Errorf("--read-database-url: %w", err)
				}
				defer p.Close()
				readPools = append(readPools, p)
			}
			if sess.embedded && !noFixtures && !standbyOnly {
				empty, err := fixtures.IsEmpty(ctx, sess.pool)
				if err != nil {
					return err
				}
				if empty {
					n, err := fixtures.LoadDemo(ctx, sess.pool)
					if err != nil {
						return fmt.Errorf("loading demo fixtures: %w", err)
					}
					log.Info().Interface("counts", n).Msg("demo fixtures loaded")
				}
			}

			if !standbyOnly {
				// The map's cells of today (store.RollStatusCells): rebuilt once a day, a
				// few seconds for a province; the standbys replay them.
				go store.KeepStatusCells(ctx, sess.pool, time.Minute, func(took time.Duration, err error) {
					if err != nil {
						log.Warn().Err(err).Msg("the map's cells of today: not rebuilt")
					} else {
						log.Info().Dur("took", took).Msg("the map's cells rebuilt for today")
					}
				})
			}
			if debugAddr != "" {
				// Profiling endpoints on their own (loopback) listener, never on the API port.
				go func() {
					if err := http.ListenAndServe(debugAddr, pprofMux()); err != nil {
						log.Error().Err(err).Msg("debug listener")
					}
				}()
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			apiCfg := api.Config{BaseURL: baseURL, Limits: limits, Version: version, AuthReads: authReads, MaxUpload: upload}
			var h http.Handler
			if len(readPools) > 0 || standbyOnly {
				rt := api.NewRouter(ctx, apiCfg, sess.pool, readPools, api.RouterOptions{MaxLag: readMaxLag}, log)
				go rt.Run(ctx)
				h = rt
			} else {
				h = api.New(apiCfg, sess.pool, log)
			}
			srv := api.NewHTTPServer(addr, h)
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()

			base := baseURL
			if base == "" {
				base = "http://" + ln.Addr().String()
			}
			log.Info().Str("addr", ln.Addr().String()).Dur("startup", time.Since(t0)).Msg("listening")
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "landreg %s listening on %s (ready in %.1fs)\n", version, base, time.Since(t0).Seconds())
			fmt.Fprintf(out, "  map:          %s/map\n", base)
			fmt.Fprintf(out, "  collections:  %s/collections\n", base)
			fmt.Fprintf(out, "  parcels:      %s/collections/parcels/items?limit=5\n", base)
			fmt.Fprintf(out, "  block lines:  %s/collections/block_lines/items\n", base)
			fmt.Fprintf(out, "  districts:    %s/collections/districts/items\n", base)
			if sess.embedded {
				fmt.Fprintf(out, "  PostGIS (QGIS, psql, ogr2ogr): %s\n", sess.cluster.TCPURL(dbName))
			}

			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			log.Info().Msg("shutting down: draining requests")
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error().Err(err).Msg("shutdown")
			}
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", envOr("LANDREG_ADDR", "127.0.0.1:8080"), "HTTP listen address (env LANDREG_ADDR)")
	cmd.Flags().StringVar(&baseURL, "base-url", os.Getenv("LANDREG_BASE_URL"), "public base URL for links, when behind a proxy (env LANDREG_BASE_URL)")
	cmd.Flags().BoolVar(&noFixtures, "no-fixtures", false, "do not load the demo fixtures into an empty private database")
	cmd.Flags().DurationVar(&stmtTimeout, "statement-timeout", store.DefaultStatementTimeout, "PostgreSQL statement_timeout for API queries")
	cmd.Flags().IntVar(&limits.Default, "limit-default", 100, "default page size of /items")
	cmd.Flags().IntVar(&limits.Max, "limit-max", 10000, "maximum page size of /items")
	// 0 keeps pgxpool's default (the larger of 4 and the number of CPUs), which suits a
	// database on the same machine as well as a remote one.
	cmd.Flags().Int32Var(&maxConns, "max-conns", 0, "database pool size; 0 = pgxpool's default, the larger of 4 and the number of CPUs")
	cmd.Flags().BoolVar(&authReads, "auth-reads", false, "require a bearer token for reads too (writes always need one)")
	cmd.Flags().StringVar(&debugAddr, "debug-addr", "", "serve Go's /debug/pprof on this address (e.g. 127.0.0.1:6060); off by default")
	cmd.Flags().StringVar(&maxUpload, "max-upload", "256MiB", "largest request body of POST /v1/imports (e.g. 64MiB, 1GiB); larger ones get 413")
	cmd.Flags().StringArrayVar(&readURLs, "read-database-url", nil,
		"URL of a PostgreSQL hot standby of the database, for reads (repeatable); see docs/scaling.md")
	cmd.Flags().DurationVar(&readMaxLag, "read-max-lag", 5*time.Second, "a standby replaying further behind the primary than this answers no reads")
	return cmd
}

// parseSize reads a byte count: a number with an optional K, M or G (binary: 1024,
// with or without "iB"/"B").
func parseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		if i := strings.IndexByte("KMG", t[n-1]); i >= 0 {
			mult, t = int64(1)<<(10*(i+1)), t[:n-1]
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 256MiB", s)
	}
	return n * mult, nil
}

func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func migrateCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending schema migrations (a no-op when current)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				applied, err := migrations.Up(ctx, pool)
				if err != nil {
					return err
				}
				cur, _, err := migrations.Status(ctx, pool)
				if err != nil {
					return err
				}
				for _, a := range applied {
					fmt.Fprintln(cmd.OutOrStdout(), "applied", a)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "schema at version %d\n", cur)
				return nil
			})
		},
	}
	db.register(cmd)
	return cmd
}

func fixturesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "fixtures", Short: "Demo data for three Wenzhou districts"}
	var db dbFlags
	load := &cobra.Command{
		Use:   "load",
		Short: "Migrate, then load the demo fixtures into an empty database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				if _, err := migrations.Up(ctx, pool); err != nil {
					return err
				}
				n, err := fixtures.LoadDemo(ctx, pool)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "loaded %+v\n", n)
				return nil
			})
		},
	}
	db.register(load)
	cmd.AddCommand(load)
	return cmd
}
