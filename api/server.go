// Package api is landreg's HTTP layer: echo routes that parse and validate requests,
// call the store, and stream responses. Errors leave as application/problem+json.
package api

import (
	"github.com/landreg/landreg"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/rs/zerolog"

	"github.com/landreg/landreg/store"
	"github.com/landreg/landreg/web"
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// BaseURL, when set, is used for absolute links instead of the request's host
	// (for servers behind a proxy that does not send X-Forwarded-* headers).
	BaseURL string
	Limits  Limits
	Version string
	// AuthReads demands a bearer token for reads too (writes always need one).
	AuthReads bool
	// MaxUpload bounds the body of POST /v1/imports in bytes; 0 means DefaultMaxUpload.
	MaxUpload int64
}

// Server holds the routes' dependencies.
type Server struct {
	cfg     Config
	pool    *pgxpool.Pool
	log     zerolog.Logger
	echo    *echo.Echo
	openapi []byte
	metrics *metrics
	// matchedKey signs the counts next links carry (matched.go).
	matchedKey []byte
	// router, when reads go to standbys too, routes requests among the servers of each
	// database (replicas.go); nil for a server on one database.
	router *Router
}

// New builds the HTTP handler.
func New(cfg Config, pool *pgxpool.Pool, log zerolog.Logger) *Server {
	return newServer(cfg, pool, log, newMetrics(pool), newMatchedKey(), nil)
}

func newServer(cfg Config, pool *pgxpool.Pool, log zerolog.Logger, m *metrics, key []byte, rt *Router) *Server {
	if cfg.Limits.Default == 0 {
		cfg.Limits = Limits{Default: 100, Max: 10000}
	}
	s := &Server{cfg: cfg, pool: pool, log: log, metrics: m, matchedKey: key, router: rt}
	s.openapi = buildOpenAPI(cfg)
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.RequestID())
	e.Use(s.accessLog)
	e.Use(middleware.Recover())
	// The caller is known before any byte of a body is read: an unknown or revoked token
	// ends here with 401; each write route then checks the role before reading its body.
	e.Use(s.authMiddleware)
	e.Use(s.refuseWritesOnStandby)
	// Uploads of GIS files may be large; every other body is small (JSON bodies have
	// their own 8 MiB cap in decodeJSON).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "16M",
		Skipper: func(c echo.Context) bool { return c.Path() == "/v1/imports" }}))
	// A plain OPTIONS (no CORS preflight) must reach the handlers: QGIS reads Allow from
	// it to decide whether a collection is editable.
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper: func(c echo.Context) bool {
			r := c.Request()
			return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") == ""
		},
		AllowOrigins:  []string{"*"},
		AllowHeaders:  []string{"Authorization", "Content-Type", "Content-Crs", "If-Match", "If-None-Match", "X-Landreg-Reason"},
		ExposeHeaders: []string{"ETag", "Location", "Content-Crs", "OGC-NumberMatched", cutLayersHeader},
	}))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: 1, MinLength: 1024}))
	e.Use(allowHead)
	e.Use(s.checkRequest)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())
	e.GET("/", s.landing)
	e.GET("/conformance", s.conformance)
	e.GET("/api", s.apiDoc)
	e.GET("/api.html", s.apiHTML)
	e.GET("/collections", s.collections)
	e.GET("/collections/:collectionId", s.collection)
	e.GET("/collections/:collectionId/items", s.items)
	e.GET("/collections/:collectionId/items/:featureId", s.item)
	e.POST("/collections/:collectionId/items", s.createItem)
	e.PUT("/collections/:collectionId/items/:featureId", s.replaceItem)
	e.PATCH("/collections/:collectionId/items/:featureId", s.patchItem)
	e.DELETE("/collections/:collectionId/items/:featureId", s.deleteItem)
	e.OPTIONS("/collections/:collectionId/items", s.optionsItems)
	e.OPTIONS("/collections/:collectionId/items/:featureId", s.optionsItem)
	e.GET("/collections/:collectionId/queryables", s.queryables)
	e.GET("/collections/:collectionId/schema", s.schema)
	e.GET("/tiles/:layers/:z/:x/:y", s.tile)
	e.GET("/tiles/:layers", s.tileJSON)
	// OGC API – Tiles over the same tiles. The static segment WebMercatorQuad takes
	// precedence over the :layers parameter above.
	e.GET("/tileMatrixSets", s.tileMatrixSets)
	e.GET("/tileMatrixSets/:tileMatrixSetId", s.tileMatrixSet)
	e.GET("/tiles", s.datasetTilesets)
	e.GET("/tiles/"+webMercatorQuad, s.datasetTilesetDoc)
	e.GET("/tiles/"+webMercatorQuad+"/:tileMatrix/:tileRow/:tileCol", s.datasetTile)
	e.GET("/collections/:collectionId/styles", s.styles)
	e.GET("/collections/:collectionId/styles/:styleId", s.style)
	e.GET("/collections/:collectionId/tiles", s.collectionTilesets)
	e.GET("/collections/:collectionId/tiles/:tileMatrixSetId", s.collectionTilesetDoc)
	e.GET("/collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol", s.collectionTile)
	s.routesV1(e)
	mapFS := echo.MustSubFS(web.Assets, "map")
	e.GET("/map", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "map/") })
	e.StaticFS("/map/", mapFS)
	// Redoc for /api.html, vendored by scripts/openapi-tools.sh.
	e.StaticFS("/apidoc/", echo.MustSubFS(web.Assets, "apidoc"))
	if missing := checkRouteTable(e.Routes()); len(missing) > 0 {
		panic("api: routes without a query-parameter list in routeParams (query.go): " + strings.Join(missing, ", "))
	}
	s.echo = e
	return s
}

type headKey struct{}

// ServeHTTP makes Server an http.Handler. HEAD is served by the GET route of the path,
// whatever the route: the request is routed as GET, and net/http, which keeps its own
// copy of the request, drops the body of a HEAD response and keeps the headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		g := r.WithContext(context.WithValue(r.Context(), headKey{}, true))
		g.Method = http.MethodGet
		r = g
	}
	s.echo.ServeHTTP(w, r)
}

// clientMethod is the request's method as the client sent it (HEAD runs as GET).
func clientMethod(c echo.Context) string {
	if c.Request().Context().Value(headKey{}) != nil {
		return http.MethodHead
	}
	return c.Request().Method
}

// allowHead adds HEAD to every Allow header that lists GET (echo's 405 and automatic
// OPTIONS answers list only registered methods, and HEAD is served by GET routes).
func allowHead(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Before(func() {
			methods := strings.Split(res.Header().Get("Allow"), ", ")
			if i := slices.Index(methods, http.MethodGet); i >= 0 && !slices.Contains(methods, http.MethodHead) {
				res.Header().Set("Allow", strings.Join(slices.Insert(methods, i+1, http.MethodHead), ", "))
			}
		})
		return next(c)
	}
}

// NewHTTPServer wraps the handler with timeouts fit for streaming: no write timeout
// (a large export may take minutes); slow clients are bounded by the header timeout
// and request contexts cancel the database work when they go away.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	err := store.Ready(ctx, s.pool)
	if err == nil && s.router != nil {
		return c.JSON(http.StatusOK, map[string]any{"status": "ready", "databases": s.router.databases()})
	}
	if err == nil {
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	}
	s.log.Warn().Err(err).Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).Msg("not ready")
	// Anyone may ask /readyz: the answer says what is wrong in categories; the driver's
	// text (hosts, socket paths, role names) is for the log and for admins.
	reason := "not ready"
	var nr *store.NotReady
	if errors.As(err, &nr) {
		reason = nr.Reason
	}
	if r, ok := store.UnavailableReason(err); ok {
		reason += " (" + r + ")"
	}
	p := problem(http.StatusServiceUnavailable, "not-ready", "Not ready", "数据库不可用、未迁移或无法写入", reason)
	if t, _ := c.Get(tokenKey).(*store.Token); t != nil && t.Role == landreg.RoleAdmin {
		p.Detail += " — " + err.Error()
	}
	p.RetryAfter = retryAfter
	return writeProblem(c, p)
}

// accessLog writes one JSON line per request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		res := c.Response()
		s.metrics.observe(c, time.Since(start))
		ev := s.log.Info()
		if res.Status >= 500 {
			ev = s.log.Error()
		}
		ev.Str("request_id", res.Header().Get(echo.HeaderXRequestID)).
			Str("method", clientMethod(c)).
			Str("path", c.Request().URL.Path).
			Str("query", c.Request().URL.RawQuery).
			Int("status", res.Status).
			Int64("bytes", res.Size).
			Float64("latency_ms", float64(time.Since(start).Microseconds())/1000).
			Msg("request")
		return nil
	}
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSON sends v with an explicit media type (OGC clients check it strictly). The
// body is encoded before the status line goes out: a value JSON cannot carry (a NaN
// stored before the bounds existed) becomes a problem naming the field, never a 200
// with an empty body.
func writeJSON(c echo.Context, status int, mediaType string, v any) error {
	var buf bytes.Buffer
	if err := jsonEncode(&buf, v); err != nil {
		var uv *json.UnsupportedValueError
		if errors.As(err, &uv) {
			path, _ := findNonFinite(reflect.ValueOf(v), "")
			return storedValueProblem(path, uv.Str)
		}
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, mediaType)
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// Routes lists the registered routes (the bad-input test walks them all).
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }
