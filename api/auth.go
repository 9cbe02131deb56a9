package api

import (
	"github.com/landreg/landreg"

	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/store"
)

const tokenKey = "landreg.token"

// authenticate reads the bearer token, if any. A present but wrong token is an error
// even where no token is needed, so a misconfigured client learns it at once.
func (s *Server) authenticate(c echo.Context) (*store.Token, error) {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if h == "" {
		return nil, nil
	}
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		return nil, unauthorized("Authorization 须为 Bearer 令牌", "the Authorization header must be 'Bearer <token>'")
	}
	t, err := store.Authenticate(c.Request().Context(), s.pool, strings.TrimSpace(secret))
	if errors.Is(err, store.ErrBadToken) {
		return nil, unauthorized("令牌无效或已吊销", "unknown or revoked token")
	}
	return t, err
}

func unauthorized(zh, en string) *Problem {
	return problem(http.StatusUnauthorized, "unauthorized", "Unauthorized", zh, en)
}

// authMiddleware resolves the token for every request and, with --auth-reads, demands
// one for reads too (health checks and the map's static files stay open).
func (s *Server) authMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t, err := s.authenticate(c)
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="landreg"`)
			return err
		}
		if t != nil {
			c.Set(tokenKey, t)
		}
		p := c.Request().URL.Path
		open := p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/map")
		if s.cfg.AuthReads && t == nil && !open {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="landreg"`)
			return unauthorized("需要令牌", "this server requires a bearer token for reads too")
		}
		return next(c)
	}
}

// checkRole allows the request's token if it has one of roles; admin may do everything.
func checkRole(c echo.Context, roles ...string) error {
	t, _ := c.Get(tokenKey).(*store.Token)
	if t == nil {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="landreg"`)
		return unauthorized("写操作需要令牌", "writes need a bearer token (landreg token create)")
	}
	if t.Role == landreg.RoleAdmin {
		return nil
	}
	for _, r := range roles {
		if t.Role == r {
			return nil
		}
	}
	p := problem(http.StatusForbidden, "forbidden", "Forbidden", "角色 "+t.Role+" 无此权限",
		"role "+t.Role+" may not do this; needs one of "+strings.Join(append(roles, landreg.RoleAdmin), ", "))
	p.Allowed = append(roles, landreg.RoleAdmin)
	return p
}

// requireRole gates a write route.
func requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := checkRole(c, roles...); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// actor is the audit name of the request's token.
func actor(c echo.Context) string {
	if t, ok := c.Get(tokenKey).(*store.Token); ok {
		return t.Name
	}
	return "anonymous"
}
