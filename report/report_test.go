package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func sample() *Table {
	d := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	name := "温州示例鞋业有限公司（示例）"
	return &Table{
		Title: "闲置土地台账",
		Columns: []Column{
			{"zddm", "宗地代码 Parcel code", Text},
			{"holder", "权利人 Holder", Text},
			{"area_mu", "面积（亩）Area (mu)", Number},
			{"count", "宗数 Count", Integer},
			{"since", "起始日期 Since", Date},
		},
		Rows: [][]any{
			{"330304001001GB00001", &name, 48.9512, int64(3), d},
			{"330304001001GB00002", nil, 0.1 + 0.2, int64(0), nil},
		},
		Geometry: []json.RawMessage{json.RawMessage(`{"type":"Point","coordinates":[120.6,27.9]}`), nil},
	}
}

func TestXLSXRoundTripsNumbers(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("XLSX does not open: %v", err)
	}
	rows, err := f.GetRows("报表", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "宗地代码 Parcel code" || rows[1][1] != "温州示例鞋业有限公司（示例）" {
		t.Errorf("headers/text: %v", rows[:2])
	}
	// Numbers are stored as numbers and read back to Excel's 15 significant digits.
	for cell, want := range map[string]float64{"C2": 48.9512, "D2": 3, "C3": 0.1 + 0.2} {
		v, _ := f.GetCellValue("报表", cell, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType("报表", cell)
		got, err := strconv.ParseFloat(v, 64)
		if err != nil || math.Abs(got-want) > 1e-14*math.Max(1, want) || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
			t.Errorf("%s = %q (type %v), want the number %v", cell, v, typ, want)
		}
	}
	if v, _ := f.GetCellValue("报表", "E2"); !strings.Contains(v, "12") || !strings.Contains(v, "31") {
		t.Errorf("date cell shows %q", v)
	}
}

func TestCSVHasBOMAndChineseHeaders(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Error("no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][2] != "面积（亩）Area (mu)" || recs[1][2] != "48.9512" || recs[1][4] != "2025-12-31" || recs[2][1] != "" {
		t.Errorf("csv %v", recs)
	}
}

func TestJSONAndGeoJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []map[string]any `json:"rows"`
	}
	json.Unmarshal(buf.Bytes(), &doc)
	if doc.Rows[0]["since"] != "2025-12-31" || doc.Rows[0]["area_mu"] != 48.9512 || doc.Rows[1]["holder"] != nil {
		t.Errorf("json rows %v", doc.Rows)
	}
	buf.Reset()
	if err := WriteGeoJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry   json.RawMessage `json:"geometry"`
			Properties map[string]any  `json:"properties"`
		} `json:"features"`
	}
	json.Unmarshal(buf.Bytes(), &fc)
	if len(fc.Features) != 2 || string(fc.Features[1].Geometry) != "null" || fc.Features[0].Properties["zddm"] != "330304001001GB00001" {
		t.Errorf("geojson %s", buf.String())
	}
	noGeom := sample()
	noGeom.Geometry = nil
	if err := WriteGeoJSON(&buf, noGeom); err == nil {
		t.Error("a table without geometry wrote GeoJSON")
	}
	if err := Write(&buf, sample(), "pdf"); err == nil {
		t.Error("unknown format accepted")
	}
}
