// Package api is landreg's HTTP layer: echo routes that parse and validate requests,
// call the store, and stream responses. Errors leave as application/problem+json.
package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
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
}

// New builds the HTTP handler.
func New(cfg Config, pool *pgxpool.Pool, log zerolog.Logger) *Server {
	if cfg.Limits.Default == 0 {
		cfg.Limits = Limits{Default: 100, Max: 10000}
	}
	s := &Server{cfg: cfg, pool: pool, log: log, metrics: newMetrics(pool)}
	s.openapi = buildOpenAPI(cfg)
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.RequestID())
	e.Use(s.accessLog)
	e.Use(middleware.Recover())
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
		ExposeHeaders: []string{"ETag", "Location", "Content-Crs", "OGC-NumberMatched"},
	}))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: 1, MinLength: 1024}))
	e.Use(s.authMiddleware)

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
	e.GET("/collections/:collectionId/schema", s.queryables)
	e.GET("/tiles/:layers/:z/:x/:y", s.tile)
	e.GET("/tiles/:layers", s.tileJSON)
	s.routesV1(e)
	mapFS := echo.MustSubFS(web.Assets, "map")
	e.GET("/map", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "map/") })
	e.StaticFS("/map/", mapFS)
	s.echo = e
	return s
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

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
	if err := store.Ready(ctx, s.pool); err != nil {
		return writeProblem(c, problem(http.StatusServiceUnavailable, "not-ready", "Not ready",
			"数据库不可用或未迁移", err.Error()))
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
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
			Str("method", c.Request().Method).
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

// writeJSON sends v with an explicit media type (OGC clients check it strictly).
func writeJSON(c echo.Context, status int, mediaType string, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, mediaType)
	c.Response().WriteHeader(status)
	return jsonEncode(c.Response(), v)
}
