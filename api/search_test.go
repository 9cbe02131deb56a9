package api_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/landreg/landreg/dbtest/demodb"
)

// TestSearch: GET /v1/search finds current parcels by 宗地代码, holder name, USCC and
// project name, as a prefix and inside the text, Chinese included; limit is bounded, an
// empty or oversized query is refused with a problem naming q, and LIKE wildcards in q
// are literal. The ILIKEs can be served by the trigram indexes.
func TestSearch(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	anon := client{t, srv.URL, ""}

	var (
		id                  int64
		zddm, holder, uscc  string
		project             string
		nXzqdm, nHolderPart int
	)
	err := pool.QueryRow(ctx, `
		SELECT id, zddm, holder_name, holder_uscc, project_name,
		  (SELECT count(*) FROM parcels q WHERE q.zddm LIKE left(p.zddm, 6) || '%' OR q.holder_uscc LIKE left(p.zddm, 6) || '%'
		     OR q.holder_name LIKE left(p.zddm, 6) || '%' OR q.project_name LIKE left(p.zddm, 6) || '%'),
		  (SELECT count(*) FROM parcels q WHERE q.holder_name LIKE '%' || substr(p.holder_name, 3, 3) || '%'
		     OR q.project_name LIKE '%' || substr(p.holder_name, 3, 3) || '%' OR q.zddm LIKE '%' || substr(p.holder_name, 3, 3) || '%'
		     OR q.holder_uscc LIKE '%' || substr(p.holder_name, 3, 3) || '%')
		FROM parcels p
		WHERE char_length(holder_name) >= 6 AND holder_uscc IS NOT NULL AND char_length(project_name) >= 4
		ORDER BY id LIMIT 1`).Scan(&id, &zddm, &holder, &uscc, &project, &nXzqdm, &nHolderPart)
	if err != nil {
		t.Fatalf("pick a parcel: %v", err)
	}
	search := func(q string, limit string) ([]map[string]any, map[string]any) {
		t.Helper()
		path := "/v1/search?q=" + url.QueryEscape(q)
		if limit != "" {
			path += "&limit=" + limit
		}
		m := anon.want(200, "", "GET", path, nil)
		var out []map[string]any
		for _, r := range m["results"].([]any) {
			out = append(out, r.(map[string]any))
		}
		return out, m
	}
	has := func(rs []map[string]any, id int64) map[string]any {
		for _, r := range rs {
			if int64(r["id"].(float64)) == id {
				return r
			}
		}
		return nil
	}

	t.Run("by code, exact first with its bbox", func(t *testing.T) {
		rs, _ := search(strings.ToLower(zddm), "")
		if len(rs) == 0 || int64(rs[0]["id"].(float64)) != id || rs[0]["matched"] != "zddm" || rs[0]["prefix"] != true {
			t.Fatalf("search %s: %v", zddm, rs)
		}
		b := rs[0]["bbox"].([]any)
		if len(b) != 4 || b[0].(float64) >= b[2].(float64) || b[1].(float64) >= b[3].(float64) || b[0].(float64) < 73 || b[3].(float64) > 54 {
			t.Errorf("bbox %v", b)
		}
		if rs[0]["holder"] != holder || rs[0]["xzqdm"] != zddm[:6] || rs[0]["project"] != project {
			t.Errorf("hit %v, want holder %s project %s", rs[0], holder, project)
		}
	})
	t.Run("code prefix, limit bounds the answer", func(t *testing.T) {
		if nXzqdm < 3 {
			t.Fatalf("fixtures: only %d parcels with the prefix %s", nXzqdm, zddm[:6])
		}
		rs, m := search(zddm[:6], "2")
		if len(rs) != 2 || m["more"] != true || m["numberReturned"].(float64) != 2 {
			t.Fatalf("limit 2: %d results, more %v", len(rs), m["more"])
		}
		for _, r := range rs {
			if !strings.HasPrefix(r["zddm"].(string), zddm[:6]) || r["prefix"] != true {
				t.Errorf("prefix %s: %v", zddm[:6], r)
			}
		}
		rs, m = search(zddm[:6], "100")
		if len(rs) != min(nXzqdm, 100) || (m["more"] == true) != (nXzqdm > 100) {
			t.Errorf("prefix %s: %d results, %d parcels", zddm[:6], len(rs), nXzqdm)
		}
	})
	t.Run("holder by USCC and by a Chinese part of the name", func(t *testing.T) {
		rs, _ := search(uscc, "100")
		if r := has(rs, id); r == nil || r["matched"] != "holder_uscc" || r["holder_uscc"] != uscc {
			t.Errorf("USCC %s: %v", uscc, rs)
		}
		part := string([]rune(holder)[2:5]) // inside the name, not its start
		if utf8.RuneCountInString(part) != 3 {
			t.Fatalf("part %q", part)
		}
		rs, _ = search(part, "100")
		r := has(rs, id)
		if r == nil || len(rs) != min(nHolderPart, 100) {
			t.Fatalf("holder part %q: %d results, want %d with parcel %d", part, len(rs), nHolderPart, id)
		}
		if strings.HasPrefix(holder, part) || r["matched"] != "holder_name" && r["matched"] != "project_name" {
			t.Errorf("holder part %q matched %v", part, r)
		}
		rs, _ = search(string([]rune(holder)[:2]), "100")
		if r := has(rs, id); r == nil || r["prefix"] != true {
			t.Errorf("holder prefix %q: %v", string([]rune(holder)[:2]), r)
		}
		rs, _ = search(string([]rune(project)[1:4]), "100")
		if has(rs, id) == nil {
			t.Errorf("project part of %q: not found", project)
		}
	})
	t.Run("wildcards are literal; nothing found is an empty list", func(t *testing.T) {
		for _, q := range []string{"%", "_", `\`, "不存在的权利人名称"} {
			rs, m := search(q, "")
			if len(rs) != 0 || m["results"] == nil {
				t.Errorf("q %q: %d results (%v)", q, len(rs), m["results"])
			}
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, c := range []struct{ path, field string }{
			{"/v1/search", "q"},
			{"/v1/search?q=", "q"},
			{"/v1/search?q=%20%20", "q"},
			{"/v1/search?q=" + strings.Repeat("地", 101), "q"},
			{"/v1/search?q=%FF", "q"},
			{"/v1/search?q=a&limit=0", "limit"},
			{"/v1/search?q=a&limit=101", "limit"},
			{"/v1/search?q=a&limit=x", "limit"},
			{"/v1/search?q=a&offset=1", "offset"},
		} {
			m := anon.want(400, "invalid-parameter", "GET", c.path, nil)
			if m["field"] != c.field || m["detail"] == nil {
				t.Errorf("%s: %v", c.path, m)
			}
		}
	})
	t.Run("the trigram indexes serve the search and nothing else", func(t *testing.T) {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		// The btree indexes out of the way and no sequential scan: an equality on the
		// column may still not reach for the trigram index (pg_trgm answers =), which a
		// bulk load's stale GIN counts made look free (migration 00036).
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off;
			DROP INDEX parcels_holder; ALTER TABLE parcels DROP CONSTRAINT parcels_zddm_key`); err != nil {
			t.Fatal(err)
		}
		explain := func(where string) string {
			var plan []string
			rows, err := tx.Query(ctx, `EXPLAIN SELECT id FROM parcels WHERE `+where)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var line string
				rows.Scan(&line)
				plan = append(plan, line)
			}
			rows.Close()
			return strings.Join(plan, "\n")
		}
		for _, col := range []string{"zddm", "holder_name", "holder_uscc", "project_name"} {
			// The form of store's searchSQL.
			if plan := explain(`lower(` + col + `) LIKE lower('%温州市%')`); !strings.Contains(plan, "parcels_search_"+col) {
				t.Errorf("%s: the search does not use parcels_search_%s:\n%s", col, col, plan)
			}
			if plan := explain(col + ` = '913303001234567890'`); strings.Contains(plan, "parcels_search_") {
				t.Errorf("%s: an equality uses a search index:\n%s", col, plan)
			}
		}
	})
}
