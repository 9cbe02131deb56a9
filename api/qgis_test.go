package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/testenv"
)

// needQGIS ends the test unless Debian's QGIS Python bindings are installed
// (`scripts/deps.sh test` installs them).
func needQGIS(t *testing.T) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import qgis.core").Run(); err != nil {
		testenv.MissingClient(t, "python3-qgis not installed (apt-get install python3-qgis qgis-providers): QGIS test not run")
	}
}

// TestQGISClient reads every collection with QGIS's own OAPIF provider (Debian
// python3-qgis).
func TestQGISClient(t *testing.T) {
	needQGIS(t)
	_, srv, counts := demoServer(t, demodb.Fixtures)
	cmd := exec.Command("/usr/bin/python3", "testdata/qgis_read.py", srv.URL, "districts", "block_lines", "parcels", "parcel_status")
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("QGIS: %v\n%s", err, out)
	}
	want := map[string]int{"districts": counts.Districts, "block_lines": counts.BlockLines, "parcels": counts.Parcels, "parcel_status": counts.Parcels}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 {
			continue
		}
		seen++
		n, _ := strconv.Atoi(f[2])
		it, _ := strconv.Atoi(f[3])
		if f[1] != "valid" || n != want[f[0]] || it != want[f[0]] {
			t.Errorf("QGIS %s: %s", f[0], line)
		}
	}
	if seen != 4 {
		t.Errorf("QGIS output:\n%s", out)
	}
}

// qgisPlanner creates a login in the landreg_planner group with a password and returns
// the connection string a planner types into QGIS (docs/qgis.md §2: host 127.0.0.1,
// the cluster's port, database, user and password; TCP, so SCRAM as in production).
func qgisPlanner(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	login := dbtest.NewLogin(t, pool, "landreg_planner")
	return fmt.Sprintf("dbname='%s' host=127.0.0.1 port=%d user='%s' password='%s' sslmode=disable",
		login.Database, login.Port, login.User, login.Password)
}

// qgisEdit runs testdata/qgis_edit.py and returns what it printed.
func qgisEdit(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", append([]string{"testdata/qgis_edit.py"}, args...)...)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("QGIS: %v\n%s", err, out)
	}
	return string(out)
}

// TestQGISDirectEditObeysTheRule edits block_lines with QGIS's PostgreSQL provider as a
// login in the landreg_planner group: cutting a strip off a line without an adjustment
// must fail to commit, with landreg's bilingual message in QGIS's commit errors.
func TestQGISDirectEditObeysTheRule(t *testing.T) {
	needQGIS(t)
	ctx := context.Background()
	pool, _, _ := demoServer(t, demodb.Fixtures)
	conn := qgisPlanner(t, pool)
	var id int64
	pool.QueryRow(ctx, `SELECT id FROM block_lines WHERE level = 1 ORDER BY id LIMIT 1`).Scan(&id)
	var before int
	pool.QueryRow(ctx, `SELECT version FROM block_lines WHERE id = $1`, id).Scan(&before)
	text := qgisEdit(t, conn, strconv.FormatInt(id, 10))
	if !strings.Contains(text, "cut-strip False") || !strings.Contains(text, "needs an approved adjustment") || !strings.Contains(text, "需经批准的调整方案") {
		t.Errorf("QGIS commit of a removal should fail with landreg's message:\n%s", text)
	}
	var after int
	pool.QueryRow(ctx, `SELECT version FROM block_lines WHERE id = $1`, id).Scan(&after)
	if after != before {
		t.Errorf("the refused edit changed the line: version %d → %d", before, after)
	}
}

// TestQGISEditInsideAnAdjustment follows docs/qgis.md §4: the planner proposes the cut
// through the API, an admin approves it, and the planner draws it in QGIS, setting the
// line's adjustment_id attribute. The commit passes, drawing on a reserve banked by an
// earlier 补划, and the new version takes the adjustment's date.
func TestQGISEditInsideAnAdjustment(t *testing.T) {
	needQGIS(t)
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	planner := client{t, srv.URL, token(t, pool, "alice", "planner")}
	admin := client{t, srv.URL, token(t, pool, "boss", "admin")}
	var id int64
	var xzqdm string
	pool.QueryRow(ctx, `SELECT id, xzqdm FROM block_lines WHERE level = 1 ORDER BY id LIMIT 1`).Scan(&id, &xzqdm)
	var today string
	pool.QueryRow(ctx, `SELECT landreg_sys.effective_date()::text`).Scan(&today)

	adjust := func(kind, eff string, removal, addition json.RawMessage) int64 {
		t.Helper()
		req := map[string]any{"xzqdm": xzqdm, "kind": kind, "doc_no": "测试〔" + eff + "〕" + kind, "effective_date": eff, "reason": "QGIS test"}
		if removal != nil {
			req["removals"] = []map[string]any{{"geometry": removal}}
		}
		if addition != nil {
			req["additions"] = []map[string]any{{"geometry": addition, "level": 1}}
		}
		// Proposed and approved on the effective date: an approval is never dated after
		// the day the adjustment takes effect (issue 14.3).
		req["proposed_on"] = eff
		adj := int64(planner.want(201, "", "POST", "/v1/adjustments", req)["id"].(float64))
		admin.want(200, "", "POST", fmt.Sprintf("/v1/adjustments/%d/approve", adj), map[string]string{"date": eff})
		return adj
	}
	// 先补: a level-1 square of ~250 m outside every line, applied through the API.
	free := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Buffer(p::geography, 250, 2)::geometry, 9, 0)::json
FROM districts d, generate_series(1, 19) i, generate_series(1, 19) j,
  LATERAL (SELECT ST_SetSRID(ST_MakePoint(ST_XMin(d.geom) + (ST_XMax(d.geom) - ST_XMin(d.geom)) * i / 20.0,
                                          ST_YMin(d.geom) + (ST_YMax(d.geom) - ST_YMin(d.geom)) * j / 20.0), 4490) AS p) s
WHERE d.xzqdm = $1 AND ST_Within(ST_SetSRID(ST_Buffer(p::geography, 300)::geometry, 4490), d.geom)
  AND NOT EXISTS (SELECT 1 FROM block_lines b WHERE ST_DWithin(b.geom::geography, p::geography, 500))
ORDER BY i, j LIMIT 1`, xzqdm)
	planner.want(200, "", "POST", fmt.Sprintf("/v1/adjustments/%d/apply", adjust("补划", "2022-09-30", nil, free)), nil)
	// 后占: the strip QGIS will cut (the west 5 % of the line's extent), approved for today.
	strip := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Intersection(geom, ST_MakeEnvelope(ST_XMin(geom) - 1, ST_YMin(geom) - 1,
  ST_XMin(geom) + 0.05 * (ST_XMax(geom) - ST_XMin(geom)), ST_YMax(geom) + 1, 4490)), 9, 0)::json FROM block_lines WHERE id = $1`, id)
	adj := adjust("调整", today, strip, nil)

	var before int
	pool.QueryRow(ctx, `SELECT version FROM block_lines WHERE id = $1`, id).Scan(&before)
	text := qgisEdit(t, qgisPlanner(t, pool), strconv.FormatInt(id, 10), strconv.FormatInt(adj, 10))
	if !strings.Contains(text, "cut-strip-in-adjustment True") {
		t.Fatalf("QGIS commit inside an approved adjustment should pass:\n%s", text)
	}
	var version int
	var validFrom string
	var adjOfLine int64
	pool.QueryRow(ctx, `SELECT version, valid_from::text, adjustment_id FROM block_lines WHERE id = $1`, id).Scan(&version, &validFrom, &adjOfLine)
	if version != before+1 || validFrom != today || adjOfLine != adj {
		t.Errorf("line after the edit: version %d (was %d), valid_from %s, adjustment %d; want one new version from %s in adjustment %d",
			version, before, validFrom, adjOfLine, today, adj)
	}
	var used float64
	pool.QueryRow(ctx, `SELECT coalesce(sum(reserve_used_m2), 0) FROM block_line_ledger WHERE adjustment_id = $1`, adj).Scan(&used)
	if used <= 0 {
		t.Errorf("the removal drew %v m² from the reserve, want the cut strip's area", used)
	}
}

// TestQGISReadsTheViews follows docs/qgis.md §5: a reader's login adds the collection
// views with QGIS's PostgreSQL provider and sees the features, with the properties the
// API serves.
func TestQGISReadsTheViews(t *testing.T) {
	needQGIS(t)
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Demo)
	login := dbtest.NewLogin(t, pool, "landreg_reader")
	conn := fmt.Sprintf("dbname='%s' host=127.0.0.1 port=%d user='%s' password='%s' sslmode=disable",
		login.Database, login.Port, login.User, login.Password)
	views := map[string]string{"collection_districts": "districts", "collection_districts_all": "districts", "collection_block_lines": "block_lines",
		"collection_block_lines_all": "block_lines", "collection_parcels": "parcels", "collection_parcels_all": "parcels"}
	args := []string{"testdata/qgis_views.py", conn}
	for v := range views {
		key := "id"
		if strings.HasSuffix(v, "_all") {
			key = "id,version"
		}
		args = append(args, v+":"+key)
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("QGIS: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var got struct {
			View     string `json:"view"`
			Valid    bool   `json:"valid"`
			Count    int    `json:"count"`
			ID       int64  `json:"id"`
			Props    string `json:"props"`
			Geometry bool   `json:"geometry"`
			Error    string `json:"error"`
		}
		if json.Unmarshal([]byte(line), &got) != nil || views[got.View] == "" {
			continue
		}
		seen++
		var n int
		var props string
		pool.QueryRow(ctx, `SELECT count(*), min(props) FILTER (WHERE id = $1 AND version IS NOT DISTINCT FROM
  (SELECT min(version) FROM `+got.View+` WHERE id = $1)) FROM `+got.View, got.ID).Scan(&n, &props)
		if !got.Valid || got.Count != n || n == 0 || got.Props != props || !got.Geometry {
			t.Errorf("QGIS %s: %s (want %d features)", got.View, line, n)
		}
		if !strings.HasSuffix(got.View, "_all") {
			var served struct {
				Properties json.RawMessage `json:"properties"`
			}
			getJSON(t, srv.URL+"/collections/"+views[got.View]+"/items/"+strconv.FormatInt(got.ID, 10), "application/geo+json", &served)
			if string(served.Properties) != got.Props {
				t.Errorf("QGIS %s feature %d:\nQGIS   %s\nserved %s", got.View, got.ID, got.Props, served.Properties)
			}
		}
	}
	if seen != len(views) {
		t.Errorf("QGIS output:\n%s", out)
	}
}
