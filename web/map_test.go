package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
	"github.com/landreg/landreg/testenv"
	"github.com/landreg/landreg/web"
)

// chromiumPath is Debian's chromium (apt-get install -y chromium).
const chromiumPath = "/usr/bin/chromium"

// TestMapInBrowser serves the demo city from a real landreg HTTP server on a free port
// (and a second one with --auth-reads) and drives /map/ in headless Chromium through
// e2e/map.mjs (playwright-core): idle parcels drawn at the default city view, the
// district panel against GET /v1/districts/330304/quota, a category filter changing the
// map and the counts, a parcel's card with its 亩均 figures, the key figures against
// GET /v1/key-figures, districts shaded by quota margin and by 亩均 (feature-state,
// rendered fill, class legend against /v1/audit/mujun-districts), search by holder and by
// code, a shared URL restoring the screen, bad URL state, print, export links, the
// dashboard with its 亩均税收 ranking against /v1/audit/mujun?order=, the narrow layout
// with the 亩均 controls and a token entered under --auth-reads; screenshots go to
// test-output/ at the repository root.
func TestMapInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		testenv.MissingClient(t, "%s is absent: install Debian's chromium (apt-get install -y chromium) to run the browser test", chromiumPath)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.MissingClient(t, "node is not on PATH: install Node.js 20+ and run make web to run the browser test")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core", "package.json")); err != nil {
		testenv.MissingClient(t, "web/node_modules is missing: run make web (scripts/web.sh) to run the browser test")
	}
	if !web.HasVendor() {
		t.Fatal("web/map/vendor/maplibre-gl.js was not embedded although web/node_modules exists: run make web, then test again")
	}

	ctx := context.Background()
	pool := dbtest.New(t)
	if _, err := fixtures.Load(ctx, pool); err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	// Two targets of the district the browser test looks at, for the dashboard's chart.
	if _, err := pool.Exec(ctx, `SELECT landreg_sys.begin_change('test', '考核目标', NULL);
INSERT INTO targets (kind, value, period_from, period_to, xzqdm, doc_no, valid_from) VALUES
  ('supply_mu', 200, '2025-01-01', '2025-12-31', '330304', '瓯政发〔2025〕1号（示例）', '2025-01-01'),
  ('supply_mu', 500, '2021-01-01', '2025-12-31', '330304', '瓯政发〔2021〕9号（示例）', '2021-01-01')`); err != nil {
		t.Fatalf("targets: %v", err)
	}
	srv := httptest.NewServer(api.New(api.Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	// The same database behind a server that demands a token for reads too.
	authSrv := httptest.NewServer(api.New(api.Config{Version: "test", AuthReads: true}, pool, zerolog.Nop()))
	defer authSrv.Close()
	secret, err := store.CreateToken(ctx, pool, "bureau-screen", string(landreg.RoleAuditor))
	if err != nil {
		t.Fatal(err)
	}

	const district = "330304"
	// A large parcel of the district, current since before the date the test picks, that
	// touches no other (so a click at the centre of its largest inscribed circle can only
	// hit it), and the extent of the district's parcels for the screenshot.
	var (
		id       int64
		zddm     string
		holder   string
		lon, lat float64
	)
	err = pool.QueryRow(ctx, `
		SELECT p.id, p.zddm, coalesce(p.holder_name, ''), ST_X(c.center), ST_Y(c.center)
		FROM parcels p, LATERAL ST_MaximumInscribedCircle(p.geom) c
		WHERE p.xzqdm = $1 AND p.valid_from <= '2025-06-30'
		  AND NOT EXISTS (SELECT 1 FROM parcels q WHERE q.id <> p.id AND ST_DWithin(q.geom, p.geom, 0.00005))
		ORDER BY c.radius DESC, p.id LIMIT 1`, district).Scan(&id, &zddm, &holder, &lon, &lat)
	if err != nil {
		t.Fatalf("pick a parcel: %v", err)
	}
	var view [4]float64
	if err := pool.QueryRow(ctx, `SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
		FROM (SELECT ST_Extent(geom)::geometry b FROM parcels WHERE xzqdm = $1) s`,
		district).Scan(&view[0], &view[1], &view[2], &view[3]); err != nil {
		t.Fatalf("district parcels' extent: %v", err)
	}

	// The demo's remediation project of the district, one step on (制定方案), and a point
	// well inside it, for the remediation layer (issue 15).
	var projectID int64
	var plon, plat float64
	if err := pool.QueryRow(ctx, `SELECT r.id, ST_X(c.center), ST_Y(c.center)
		FROM collection_remediation_projects r, LATERAL ST_MaximumInscribedCircle(r.geom) c
		WHERE r.xzqdm = $1 ORDER BY c.radius DESC, r.id LIMIT 1`, district).Scan(&projectID, &plon, &plat); err != nil {
		t.Fatalf("pick a remediation project: %v", err)
	}
	if err := store.SetProjectStatus(ctx, pool, store.Change{Actor: "test"}, projectID, "制定方案", nil); err != nil {
		t.Fatalf("project status: %v", err)
	}

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(root, "test-output")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	screenshot := filepath.Join(outDir, "map.png")
	_ = os.Remove(screenshot)

	runCtx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, filepath.Join("e2e", "map.mjs"))
	cmd.Env = append(os.Environ(),
		"LANDREG_URL="+srv.URL,
		"LANDREG_CHROMIUM="+chromiumPath,
		"LANDREG_DISTRICT="+district,
		"LANDREG_PARCEL_ID="+strconv.FormatInt(id, 10),
		"LANDREG_PARCEL_ZDDM="+zddm,
		"LANDREG_PARCEL_LONLAT="+fmt.Sprintf("%.7f,%.7f", lon, lat),
		"LANDREG_VIEW_BBOX="+fmt.Sprintf("%.7f,%.7f,%.7f,%.7f", view[0], view[1], view[2], view[3]),
		"LANDREG_PARCEL_HOLDER="+holder,
		"LANDREG_SCREENSHOT="+screenshot,
		"LANDREG_OUT="+outDir,
		"LANDREG_AUTH_URL="+authSrv.URL,
		"LANDREG_TOKEN="+secret,
		"LANDREG_PROJECT_ID="+strconv.FormatInt(projectID, 10),
		"LANDREG_PROJECT_LONLAT="+fmt.Sprintf("%.7f,%.7f", plon, plat),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	t.Logf("e2e/map.mjs (parcel %d %s at %.6f,%.6f):\n%s", id, zddm, lon, lat, out.String())
	if runCtx.Err() != nil {
		t.Fatalf("browser test timed out after 8 minutes")
	}
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	if fi, err := os.Stat(screenshot); err != nil || fi.Size() < 10_000 {
		t.Fatalf("screenshot %s missing or too small (%v)", screenshot, err)
	}
	t.Logf("screenshot: %s", screenshot)
}
