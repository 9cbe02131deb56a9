package api

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// HeaderDatabase names the database that answered a request: "primary" (主库) or
// "standby" (备库, a hot standby, read-only).
const HeaderDatabase = "X-Landreg-Database"

// RouterOptions tune the routing of reads to standbys.
type RouterOptions struct {
	// MaxLag is how far behind the primary a standby may replay and still answer reads
	// (default 5 s); a standby further behind, or down, is skipped.
	MaxLag time.Duration
	// Poll is how often each database's role and WAL position are read (default 200 ms).
	Poll time.Duration
}

// Router sends read-only requests to hot standbys and everything else to the primary
// (docs/decisions.md, "Reads on replicas (issue 18)"). Each database has its own Server
// over its own pool, sharing metrics and the key of the count links, so no handler knows
// which database it reads: the choice is made per request, before the request reaches
// the handlers.
//
// Read-your-writes: after a write by a caller (its bearer token; callers without one
// are one caller), the caller's reads go to the primary until a standby has replayed
// the primary's WAL position taken just after that write (pg_current_wal_insert_lsn(),
// which is past the write's commit record even under synchronous_commit=off, where the
// write position pg_current_wal_lsn() may not be yet); the standbys' positions are
// polled, so the check costs a comparison.
type Router struct {
	opt      RouterOptions
	log      zerolog.Logger
	primary  *dbNode
	standbys []*dbNode
	next     atomic.Uint64 // round-robin among fit standbys

	mu sync.Mutex
	// writes holds, per caller, the primary's WAL position after its last write, until
	// every standby has replayed it (or the entry is older than any usable lag).
	writes map[[32]byte]writeMark
	// samples are the primary's recent WAL positions, to turn a standby's replay
	// position into a lag in time.
	samples []lsnSample
}

type writeMark struct {
	lsn uint64
	at  time.Time
}

type lsnSample struct {
	at  time.Time
	lsn uint64
}

// dbNode is one database: its pool, the Server over it, and what the last poll saw.
type dbNode struct {
	name  string
	pool  *pgxpool.Pool
	srv   *Server
	state atomic.Pointer[dbState]
}

type dbState struct {
	checked  time.Time
	up       bool
	recovery bool   // pg_is_in_recovery(): a standby
	lsn      uint64 // primary: pg_current_wal_insert_lsn(); standby: pg_last_wal_replay_lsn()
	lag      time.Duration
}

func (n *dbNode) get() *dbState {
	if s := n.state.Load(); s != nil {
		return s
	}
	return &dbState{}
}

// NewRouter builds the servers of primary and of each standby and polls them once; Run
// keeps polling. The primary may itself be a standby (a server given only a standby):
// then it serves reads and answers writes 503 read-only.
func NewRouter(ctx context.Context, cfg Config, primary *pgxpool.Pool, standbys []*pgxpool.Pool, opt RouterOptions, log zerolog.Logger) *Router {
	if opt.MaxLag <= 0 {
		opt.MaxLag = 5 * time.Second
	}
	if opt.Poll <= 0 {
		opt.Poll = 200 * time.Millisecond
	}
	rt := &Router{opt: opt, log: log, writes: map[[32]byte]writeMark{}}
	m, key := newMetrics(primary), newMatchedKey()
	rt.primary = &dbNode{name: "primary", pool: primary}
	rt.primary.srv = newServer(cfg, primary, log, m, key, rt)
	for i, p := range standbys {
		n := &dbNode{name: "read-" + strconv.Itoa(i+1), pool: p}
		n.srv = newServer(cfg, p, log, m, key, rt)
		rt.standbys = append(rt.standbys, n)
	}
	rt.poll(ctx)
	return rt
}

// Run polls the databases until ctx ends.
func (rt *Router) Run(ctx context.Context) {
	t := time.NewTicker(rt.opt.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rt.poll(ctx)
		}
	}
}

// poll reads every database's role and WAL position, at once.
func (rt *Router) poll(ctx context.Context) {
	timeout := max(time.Second, 5*rt.opt.Poll)
	var wg sync.WaitGroup
	for _, n := range append([]*dbNode{rt.primary}, rt.standbys...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			st := &dbState{checked: time.Now()}
			var lsn string
			err := n.pool.QueryRow(cctx, `SELECT pg_is_in_recovery(),
  COALESCE(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END, '0/0')::text`).Scan(&st.recovery, &lsn)
			if err == nil {
				st.lsn, err = parseLSN(lsn)
			}
			if err != nil {
				if prev := n.get(); prev.up {
					rt.log.Warn().Str("database", n.name).Err(err).Msg("database down: its reads go to the primary")
				}
				n.state.Store(st)
				return
			}
			st.up = true
			if prev := n.get(); !prev.up && !prev.checked.IsZero() {
				rt.log.Info().Str("database", n.name).Msg("database up again")
			}
			n.state.Store(st)
		}()
	}
	wg.Wait()
	p := rt.primary.get()
	now := time.Now()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p.up && !p.recovery {
		rt.samples = append(rt.samples, lsnSample{now, p.lsn})
	}
	window := 2*rt.opt.MaxLag + time.Second
	i := 0
	for i < len(rt.samples)-1 && now.Sub(rt.samples[i].at) > window {
		i++
	}
	rt.samples = rt.samples[i:]
	for _, n := range rt.standbys {
		st := n.get()
		if !st.up {
			continue
		}
		s2 := *st
		s2.lag = rt.lagLocked(st.lsn, now)
		n.state.Store(&s2)
	}
	for k, w := range rt.writes {
		if now.Sub(w.at) > window {
			delete(rt.writes, k)
		}
	}
}

// lagLocked is how long ago the primary first stood past replay: zero when the standby
// has replayed the latest position seen on the primary.
func (rt *Router) lagLocked(replay uint64, now time.Time) time.Duration {
	if len(rt.samples) == 0 {
		return 0
	}
	for _, s := range rt.samples {
		if s.lsn > replay {
			return now.Sub(s.at)
		}
	}
	return 0
}

// fit says whether a standby may answer reads now.
func (rt *Router) fit(st *dbState) bool {
	return st.up && st.recovery && st.lag <= rt.opt.MaxLag
}

// pick chooses a standby for a read by caller, or nil for the primary.
func (rt *Router) pick(caller [32]byte) *dbNode {
	if len(rt.standbys) == 0 {
		return nil
	}
	rt.mu.Lock()
	mark, wrote := rt.writes[caller]
	rt.mu.Unlock()
	var fit []*dbNode
	caughtUp := true
	for _, n := range rt.standbys {
		st := n.get()
		if st.lsn < mark.lsn {
			caughtUp = false
			continue
		}
		if rt.fit(st) {
			fit = append(fit, n)
		}
	}
	if wrote && caughtUp {
		rt.mu.Lock()
		if w, ok := rt.writes[caller]; ok && w.lsn <= mark.lsn {
			delete(rt.writes, caller)
		}
		rt.mu.Unlock()
	}
	if len(fit) == 0 {
		return nil
	}
	return fit[rt.next.Add(1)%uint64(len(fit))]
}

// markWrite records the primary's WAL position after a caller's write.
func (rt *Router) markWrite(ctx context.Context, caller [32]byte) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	var lsn string
	err := rt.primary.pool.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn)
	var v uint64
	if err == nil {
		v, err = parseLSN(lsn)
	}
	if err != nil {
		// Unknown position: the caller reads from the primary for the whole window.
		v = ^uint64(0)
		rt.log.Warn().Err(err).Msg("WAL position after a write unknown: the writer reads from the primary")
	}
	rt.mu.Lock()
	if w := rt.writes[caller]; w.lsn < v {
		rt.writes[caller] = writeMark{lsn: v, at: time.Now()}
	}
	rt.mu.Unlock()
}

// ServeHTTP routes the request to a fit standby's server or to the primary's.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	caller := callerKey(r)
	if standbyRead(r) {
		if n := rt.pick(caller); n != nil {
			w.Header().Set(HeaderDatabase, "standby")
			n.srv.ServeHTTP(w, r)
			return
		}
	}
	role := "primary"
	if rt.primary.get().recovery {
		role = "standby"
	}
	w.Header().Set(HeaderDatabase, role)
	if !isWrite(r.Method) || len(rt.standbys) == 0 || role != "primary" {
		rt.primary.srv.ServeHTTP(w, r)
		return
	}
	// The mark is taken before the answer leaves (the caller may read the moment it has
	// it; the write has committed by then) and again at the end, for a handler that
	// commits after its status line.
	mw := &markingWriter{ResponseWriter: w, mark: func() { rt.markWrite(r.Context(), caller) }}
	rt.primary.srv.ServeHTTP(mw, r)
	rt.markWrite(r.Context(), caller)
}

// markingWriter runs mark once, just before the status line goes out.
type markingWriter struct {
	http.ResponseWriter
	mark   func()
	marked bool
}

func (m *markingWriter) WriteHeader(code int) {
	if !m.marked {
		m.marked = true
		m.mark()
	}
	m.ResponseWriter.WriteHeader(code)
}

func (m *markingWriter) Write(b []byte) (int, error) {
	if !m.marked {
		m.WriteHeader(http.StatusOK)
	}
	return m.ResponseWriter.Write(b)
}

func (m *markingWriter) Flush() {
	if f, ok := m.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (m *markingWriter) Unwrap() http.ResponseWriter { return m.ResponseWriter }

// Handler is the primary's server (tests walk its routes).
func (rt *Router) Handler() *Server { return rt.primary.srv }

// callerKey identifies a caller by its bearer token (hashed; the secret is not kept).
func callerKey(r *http.Request) [32]byte {
	return sha256.Sum256([]byte(r.Header.Get(echo.HeaderAuthorization)))
}

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// standbyRead says whether a request may be answered by a standby: GET or HEAD of the
// collections, the tiles and the /v1 reads (reports included). A preview of an
// adjustment computes in a rolled-back write transaction and needs the primary, as do
// /readyz (which reports on all databases), /metrics and the static map files.
func standbyRead(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	if strings.HasSuffix(p, "/preview") {
		return false
	}
	for _, prefix := range []string{"/collections", "/tiles", "/tileMatrixSets", "/v1/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// refuseWritesOnStandby answers writes 503 read-only when the primary database is itself
// a standby (a server given only a standby, or a primary demoted under it).
func (s *Server) refuseWritesOnStandby(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.router == nil || !isWrite(c.Request().Method) || !s.router.primary.get().recovery {
			return next(c)
		}
		p := problem(http.StatusServiceUnavailable, "read-only", "Read-only server",
			"本服务器连接的是只读备库，不能写入；请向连接主库的服务器提交",
			"this server's database is a read-only standby; send writes to a server on the primary")
		p.RetryAfter = retryAfter
		return p
	}
}

// dbReport is one database in /readyz.
type dbReport struct {
	Name string `json:"name"`
	// Role is primary or standby, as the database itself says (pg_is_in_recovery()).
	Role string `json:"role"`
	Up   bool   `json:"up"`
	LSN  string `json:"lsn,omitempty"`
	// ReplayLagMS is how long ago the primary stood where the standby has replayed to.
	ReplayLagMS *int64 `json:"replay_lag_ms,omitempty"`
	// Reads says whether the database answers reads now.
	Reads bool `json:"reads"`
}

func (rt *Router) databases() []dbReport {
	var out []dbReport
	for i, n := range append([]*dbNode{rt.primary}, rt.standbys...) {
		st := n.get()
		d := dbReport{Name: n.name, Role: "primary", Up: st.up}
		if st.recovery {
			d.Role = "standby"
		}
		if !st.up {
			d.Role = "unknown"
		}
		if st.up {
			d.LSN = formatLSN(st.lsn)
		}
		if i == 0 {
			d.Reads = st.up
		} else {
			d.Reads = rt.fit(st)
			if st.up && st.recovery {
				ms := st.lag.Milliseconds()
				d.ReplayLagMS = &ms
			}
		}
		out = append(out, d)
	}
	return out
}

// parseLSN reads PostgreSQL's pg_lsn text form, two hex halves "X/Y".
func parseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("bad LSN %q", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("bad LSN %q", s)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("bad LSN %q", s)
	}
	return h<<32 | l, nil
}

func formatLSN(v uint64) string { return fmt.Sprintf("%X/%X", v>>32, v&0xffffffff) }
