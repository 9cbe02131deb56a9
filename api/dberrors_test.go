package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest/demodb"
)

// Issue 14.16 and 14.19: what the database refuses reaches the caller as a bilingual
// problem naming the request's field, never a constraint's name; the reason of a write
// travels in the body (a Chinese reason cannot travel in a header from a browser) or
// in the header (QGIS), and the audit row carries it.
func TestWriteRefusalsAndReasons(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	regToken := token(t, pool, "registrar-wu", landreg.RoleRegistrar)
	reg := client{t, srv.URL, regToken}
	send := func(method, path string, headers map[string]string, body any) (int, map[string]any) {
		t.Helper()
		j, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+regToken)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(out, &m)
		return res.StatusCode, m
	}
	auditReason := func(table, key string) (reasons []string) {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT coalesce(reason, '') FROM audit_log WHERE table_name = $1 AND row_key = $2 ORDER BY id`, table, key)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var r string
			rows.Scan(&r)
			reasons = append(reasons, r)
		}
		return reasons
	}
	bilingual := func(what string, p map[string]any, field string) {
		t.Helper()
		d, _ := p["detail"].(string)
		zh, en, ok := strings.Cut(d, " / ")
		if p["field"] != field || !ok || zh == "" || en == "" || !strings.ContainsFunc(zh, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) ||
			strings.Contains(d, "_key") || strings.Contains(d, "_check") || strings.Contains(d, "_fkey") {
			t.Errorf("%s: want a bilingual problem naming %s, got %v", what, field, p)
		}
	}
	first17 := "91330304MA2TXTC00"
	c, err := codes.USCCCheck(first17)
	if err != nil {
		t.Fatal(err)
	}
	uscc := first17 + string(c)
	const zhReason = "依据《温州市工业区块线管理办法》登记新企业"

	t.Run("a Chinese reason in the body reaches the audit row", func(t *testing.T) {
		st, m := send("POST", "/v1/enterprises", nil, map[string]any{"uscc": uscc, "name": "温州丙泵业有限公司（示例）", "reason": zhReason})
		if st != 201 {
			t.Fatalf("create enterprise: %d %v", st, m)
		}
		if r := auditReason("enterprises", uscc); len(r) != 1 || r[0] != zhReason {
			t.Errorf("audit reasons %q, want %q", r, zhReason)
		}
	})

	square := `{"type":"Polygon","coordinates":[[[120.7000,27.9000],[120.7015,27.9000],[120.7015,27.9013],[120.7000,27.9013],[120.7000,27.9000]]]}`
	parcel := func(zddm string, extra map[string]any) map[string]any {
		f := map[string]any{"type": "Feature", "geometry": json.RawMessage(square), "properties": map[string]any{"zddm": zddm, "xzqdm": "330304",
			"holder_uscc": uscc, "holder_name": "温州丙泵业有限公司（示例）", "landuse_code": "0601", "contract_date": "2024-01-10",
			"agreed_delivery": "2024-03-01", "agreed_start": "2024-09-01", "price_wan": 800}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	var id string

	t.Run("reason of a Feature write: body member, header, both", func(t *testing.T) {
		st, m := send("POST", "/v1/parcels", nil, parcel("330304009009GB00002", map[string]any{"reason": "新增宗地：出让合同已签订"}))
		if st != 201 {
			t.Fatalf("create parcel: %d %v", st, m)
		}
		switch v := m["id"].(type) {
		case float64:
			id = strconv.FormatInt(int64(v), 10)
		case string:
			id = v
		}
		if r := auditReason("parcels", id); len(r) != 1 || r[0] != "新增宗地：出让合同已签订" {
			t.Errorf("parcel audit reasons %q", r)
		}
		audits := len(auditReason("parcels", id))
		st, m = send("PATCH", "/v1/parcels/"+id, map[string]string{"X-Landreg-Reason": "fix price"},
			map[string]any{"properties": map[string]any{"price_wan": 900}, "reason": "更正出让价款"})
		if st != 400 || m["type"] != "urn:landreg:problem:reason-conflict" || m["field"] != "reason" {
			t.Errorf("header and body differ: %d %v", st, m)
		}
		if n := len(auditReason("parcels", id)); n != audits {
			t.Errorf("a refused write left %d audit rows, want %d", n, audits)
		}
		// The header alone, as QGIS sends it; the same reason in both places is one reason.
		st, m = send("PATCH", "/v1/parcels/"+id, map[string]string{"X-Landreg-Reason": "fix price"}, map[string]any{"properties": map[string]any{"price_wan": 900}})
		if st != 200 {
			t.Fatalf("header reason: %d %v", st, m)
		}
		st, m = send("PATCH", "/v1/parcels/"+id, map[string]string{"X-Landreg-Reason": "same"},
			map[string]any{"properties": map[string]any{"price_wan": 950}, "reason": "same"})
		if st != 200 {
			t.Fatalf("same reason twice: %d %v", st, m)
		}
		if r := auditReason("parcels", id); len(r) != 3 || r[1] != "fix price" || r[2] != "same" {
			t.Errorf("parcel audit reasons %q", r)
		}
		// An event: reason in the body.
		st, m = send("POST", "/v1/parcels/"+id+"/events", nil, map[string]any{"type": "LAND_DELIVERED", "event_date": "2024-03-01", "reason": "交地确认书已签署"})
		if st != 201 {
			t.Fatalf("event: %d %v", st, m)
		}
		var r string
		pool.QueryRow(ctx, `SELECT reason FROM audit_log WHERE table_name = 'parcel_events' ORDER BY id DESC LIMIT 1`).Scan(&r)
		if r != "交地确认书已签署" {
			t.Errorf("event audit reason %q", r)
		}
	})

	t.Run("conflicting reasons are refused on every write", func(t *testing.T) {
		adminToken := token(t, pool, "admin-feng", landreg.RoleAdmin)
		for _, c := range []struct {
			method, path string
			body         map[string]any
		}{
			{"PATCH", "/v1/districts/330304", map[string]any{"comp_ratio": 1.5, "doc_no": "温政发〔2025〕1号（示例）", "reason": "调整补划比例"}},
			{"POST", "/v1/adjustments/1/withdraw", map[string]any{"reason": "撤回"}},
			{"PUT", "/v1/districts/330304/idle-policy", map[string]any{"stopped_months": 3, "doc_no": "x", "effective_date": "2025-01-01", "reason": "调整"}},
		} {
			j, _ := json.Marshal(c.body)
			req, _ := http.NewRequest(c.method, srv.URL+c.path, bytes.NewReader(j))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+adminToken)
			req.Header.Set("X-Landreg-Reason", "something else")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			json.NewDecoder(res.Body).Decode(&m)
			res.Body.Close()
			if res.StatusCode != 400 || m["type"] != "urn:landreg:problem:reason-conflict" {
				t.Errorf("%s %s with two reasons: %d %v", c.method, c.path, res.StatusCode, m)
			}
		}
	})

	t.Run("duplicate parcel code", func(t *testing.T) {
		rows := func() (n int) {
			pool.QueryRow(ctx, `SELECT count(*) FROM parcels_all`).Scan(&n)
			return n
		}
		before := rows()
		st, m := send("POST", "/v1/parcels", nil, parcel("330304009009GB00002", nil))
		if st != 409 || m["type"] != "urn:landreg:problem:duplicate" {
			t.Fatalf("duplicate zddm: %d %v", st, m)
		}
		bilingual("duplicate zddm", m, "properties.zddm")
		if !strings.Contains(m["detail"].(string), "330304009009GB00002") {
			t.Errorf("duplicate zddm names no value: %v", m)
		}
		// The same through the OGC collection, as QGIS writes.
		st, m = send("POST", "/collections/parcels/items", map[string]string{"Content-Type": "application/geo+json"}, parcel("330304009009GB00002", nil))
		if st != 409 {
			t.Fatalf("duplicate zddm (OGC): %d %v", st, m)
		}
		bilingual("duplicate zddm (OGC)", m, "properties.zddm")
		if n := rows(); n != before {
			t.Errorf("refused creates left %d rows, want %d", n, before)
		}
	})

	t.Run("unknown holder and duplicate USCC", func(t *testing.T) {
		d, _ := codes.USCCCheck("91330304MA2TXTD00")
		st, m := send("PATCH", "/v1/parcels/"+id, nil, map[string]any{"properties": map[string]any{"holder_uscc": "91330304MA2TXTD00" + string(d)}})
		if st != 422 {
			t.Fatalf("unknown holder: %d %v", st, m)
		}
		bilingual("unknown holder", m, "properties.holder_uscc")
		p := reg.want(409, "duplicate", "POST", "/v1/enterprises", map[string]any{"uscc": uscc, "name": "再次"})
		bilingual("duplicate USCC", p, "uscc")
	})
}
