package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

func TestParcelRegistry(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	secret, _ := store.CreateToken(ctx, pool, "registrar-chen", "registrar")
	reg := client{t, srv.URL, secret}
	anon := client{t, srv.URL, ""}

	// A new parcel in 瓯海, a square east of every fixture, with a valid USCC holder.
	var uscc string
	pool.QueryRow(ctx, `SELECT uscc FROM enterprises ORDER BY uscc LIMIT 1`).Scan(&uscc)
	square := `{"type":"Polygon","coordinates":[[[120.7000,27.9000],[120.7015,27.9000],[120.7015,27.9013],[120.7000,27.9013],[120.7000,27.9000]]]}`
	var plane float64
	pool.QueryRow(ctx, `SELECT ST_Area(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), 4549))`, square).Scan(&plane)
	parcel := func(over map[string]any) map[string]any {
		props := map[string]any{"zddm": "330304009009GB00001", "xzqdm": "330304", "holder_uscc": uscc, "holder_name": "测试企业（示例）",
			"landuse_code": "0601", "registered_area_m2": fmt.Sprintf("%.2f", plane), "contract_date": "2024-01-10",
			"agreed_delivery": "2024-03-01", "agreed_start": "2024-09-01", "agreed_completion": "2026-09-01", "price_wan": 1200}
		for k, v := range over {
			if v == nil {
				delete(props, k)
			} else {
				props[k] = v
			}
		}
		return map[string]any{"type": "Feature", "geometry": json.RawMessage(square), "properties": props}
	}

	var id string
	t.Run("create with validation", func(t *testing.T) {
		anon.want(401, "unauthorized", "POST", "/v1/parcels", parcel(nil))
		bad := []struct {
			name  string
			over  map[string]any
			typ   string
			field string
		}{
			{"bad zddm", map[string]any{"zddm": "330304009009XX00001"}, "invalid-code", "properties.zddm"},
			{"zddm of another district", map[string]any{"zddm": "330303009009GB00001"}, "invalid-code", "properties.xzqdm"},
			{"bad USCC check digit", map[string]any{"holder_uscc": uscc[:17] + map[bool]string{true: "1", false: "0"}[uscc[17] == '0']}, "invalid-code", "properties.holder_uscc"},
			{"unknown land use", map[string]any{"landuse_code": "9999"}, "invalid-code", "properties.landuse_code"},
			{"completion before start", map[string]any{"agreed_completion": "2024-06-01"}, "constraint-violation", "properties.agreed_completion"},
			{"missing land use", map[string]any{"landuse_code": nil}, "constraint-violation", "properties.landuse_code"},
			{"contract in the future", map[string]any{"contract_date": "2099-01-01", "agreed_delivery": nil, "agreed_start": nil, "agreed_completion": nil}, "constraint-violation", "properties.contract_date"},
		}
		for _, b := range bad {
			p := reg.want(422, b.typ, "POST", "/v1/parcels", parcel(b.over))
			if p["field"] != b.field || !strings.Contains(p["detail"].(string), " / ") {
				t.Errorf("%s: %v", b.name, p)
			}
		}
		res, body := reg.do("POST", "/v1/parcels", parcel(nil))
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		loc := res.Header.Get("Location")
		id = loc[strings.LastIndex(loc, "/")+1:]
		if strings.Contains(string(body), `"warnings"`) {
			t.Errorf("matching registered area flagged: %s", body)
		}
		// A registered area 5 % off is accepted with a warning.
		off := parcel(map[string]any{"zddm": "330304009009GB00002", "registered_area_m2": fmt.Sprintf("%.2f", plane*1.05)})
		off["geometry"] = json.RawMessage(strings.ReplaceAll(square, "27.9", "27.8"))
		res, body = reg.do("POST", "/v1/parcels", off)
		if res.StatusCode != 201 || !strings.Contains(string(body), `"warnings"`) {
			t.Errorf("area mismatch: %d %s", res.StatusCode, body)
		}
		// A merge patch is validated against the whole record.
		reg.want(422, "invalid-code", "PATCH", "/v1/parcels/"+id, map[string]any{"properties": map[string]any{"bdcdyh": "330304009009GB00002W00000000"}})
		reg.want(200, "", "PATCH", "/v1/parcels/"+id, map[string]any{"properties": map[string]any{"bdcdyh": "330304009009GB00001W00000000"}})
	})

	t.Run("events", func(t *testing.T) {
		path := "/v1/parcels/" + id + "/events"
		reg.want(201, "", "POST", path, map[string]any{"type": "LAND_DELIVERED", "event_date": "2024-03-01", "doc_no": "交地确认书（示例）"})
		e := reg.want(201, "", "POST", path, map[string]any{"type": "ANNUAL_INDICATORS", "event_date": "2025-03-31",
			"payload": map[string]any{"year": 2024, "tax_wan": 10, "va_wan": 50}})
		reg.want(400, "invalid-parameter", "POST", path, map[string]any{"type": "PARTY", "event_date": "2024-03-01"})
		reg.want(422, "invalid-event", "POST", path, map[string]any{"type": "STARTED", "event_date": "2099-01-01"})
		reg.want(422, "invalid-event", "POST", path, map[string]any{"type": "ANNUAL_INDICATORS", "event_date": "2025-03-31",
			"payload": map[string]any{"year": 2024, "tax_wan": -3}})
		reg.want(400, "invalid-parameter", "POST", path, map[string]any{"type": "ANNUAL_INDICATORS", "event_date": "2025-04-01",
			"payload": map[string]any{"year": 2024, "tax_wan": 12}, "supersedes": e["id"]})
		corr := reg.want(201, "", "POST", path, map[string]any{"type": "ANNUAL_INDICATORS", "event_date": "2025-04-01",
			"payload": map[string]any{"year": 2024, "tax_wan": 12, "va_wan": 50}, "supersedes": e["id"], "reason": "税务数据更正"})
		anon.want(401, "unauthorized", "POST", path, map[string]any{"type": "STARTED", "event_date": "2024-10-01"})
		list := anon.want(200, "", "GET", path, nil)["events"].([]any)
		if len(list) != 3 || list[1].(map[string]any)["superseded_by"] != corr["id"] {
			t.Errorf("events %v", list)
		}
		// Events are append-only at the database too.
		if _, err := pool.Exec(ctx, `DELETE FROM parcel_events WHERE id = $1`, int64(e["id"].(float64))); err == nil {
			t.Error("an event was deleted")
		}
	})

	t.Run("status, history and retirement", func(t *testing.T) {
		st := anon.want(200, "", "GET", "/v1/parcels/"+id+"/status?date=2024-06-30", nil)
		if st["category"] != "SUPPLIED_NOT_DUE" || st["category_zh"] == nil {
			t.Errorf("status before the start deadline: %v", st)
		}
		st = anon.want(200, "", "GET", "/v1/parcels/"+id+"/status?date=2025-06-30", nil)
		if st["category"] != "OVERDUE_START" {
			t.Errorf("status after the start deadline: %v", st)
		}
		anon.want(400, "invalid-parameter", "GET", "/v1/parcels/"+id+"/status?date=someday", nil)
		h := anon.want(200, "", "GET", "/v1/parcels/"+id+"/history", nil)
		if len(h["versions"].([]any)) != 2 || len(h["events"].([]any)) != 3 || len(h["audit"].([]any)) < 5 {
			t.Errorf("history: %d versions, %d events, %d audit rows", len(h["versions"].([]any)), len(h["events"].([]any)), len(h["audit"].([]any)))
		}
		if res, _ := reg.do("DELETE", "/v1/parcels/"+id, nil); res.StatusCode != 204 {
			t.Fatalf("retire: %d", res.StatusCode)
		}
		reg.want(409, "retired", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": "STARTED", "event_date": "2024-10-01"})
		anon.want(404, "not-found", "GET", "/v1/parcels/"+id, nil)
		h = anon.want(200, "", "GET", "/v1/parcels/"+id+"/history", nil)
		last := h["versions"].([]any)[len(h["versions"].([]any))-1].(map[string]any)
		if last["retired"] != true || last["valid_to"] == nil {
			t.Errorf("retired version %v", last)
		}
	})
}
