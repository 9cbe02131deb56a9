package api

import (
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series of one server: requests by route pattern (never the
// raw path, so the label set stays bounded), their latency, and the database pool.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(pool *pgxpool.Pool) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "landreg_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "landreg_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		stat := func(name, help string, f func(*pgxpool.Stat) float64) {
			m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
				func() float64 { return f(pool.Stat()) }))
		}
		stat("landreg_db_pool_acquired_conns", "Database connections in use.", func(s *pgxpool.Stat) float64 { return float64(s.AcquiredConns()) })
		stat("landreg_db_pool_idle_conns", "Idle database connections.", func(s *pgxpool.Stat) float64 { return float64(s.IdleConns()) })
		stat("landreg_db_pool_max_conns", "Database pool size.", func(s *pgxpool.Stat) float64 { return float64(s.MaxConns()) })
		stat("landreg_db_pool_empty_acquire_total", "Acquires that had to wait for a connection.", func(s *pgxpool.Stat) float64 { return float64(s.EmptyAcquireCount()) })
	}
	return m
}

// observe records one finished request.
func (m *metrics) observe(c echo.Context, took time.Duration) {
	route := c.Path()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(clientMethod(c), route, strconv.Itoa(c.Response().Status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

func (s *Server) metricsHandler() echo.HandlerFunc {
	// The gzip middleware compresses; promhttp must not compress a second time.
	return echo.WrapHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{DisableCompression: true}))
}
