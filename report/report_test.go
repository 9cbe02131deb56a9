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
		Notes: []string{"截至 As of 2025-12-31", "行政区 District: 330304 瓯海区"},
		Columns: []Column{
			{Key: "zddm", Header: "宗地代码 Parcel code", Kind: Text},
			{Key: "holder", Header: "权利人 Holder", Kind: Text},
			{Key: "area_mu", Header: "面积（亩）Area (mu)", Kind: Number, Total: true},
			{Key: "count", Header: "宗数 Count", Kind: Integer, Total: true},
			{Key: "since", Header: "起始日期 Since", Kind: Date},
			{Key: "uscc", Header: "统一社会信用代码 USCC", Kind: Text},
		},
		Rows: [][]any{
			{"330304001001GB00001", &name, 48.9512, int64(3), d, "913303041234567890"},
			{"330304001001GB00002", nil, 0.1 + 0.2, int64(0), nil, nil},
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
	sheet := "闲置土地台账"
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// Title block: the title, the notes, when it was generated, a blank row; then the
	// header (row 6), two rows and the totals.
	if rows[0][0] != "闲置土地台账" || rows[1][0] != "截至 As of 2025-12-31" || rows[2][0] != "行政区 District: 330304 瓯海区" ||
		!strings.HasPrefix(rows[3][0], "生成时间 Generated at: ") {
		t.Errorf("title block %v", rows[:4])
	}
	if rows[5][0] != "宗地代码 Parcel code" || rows[6][1] != "温州示例鞋业有限公司（示例）" || rows[8][0] != "合计 Total" {
		t.Errorf("header/text/totals: %v", rows[5:])
	}
	// Numbers are stored as numbers and read back to Excel's 15 significant digits; the
	// totals are the sums of the rows (cached beside the SUBTOTAL formula).
	for cell, want := range map[string]float64{"C7": 48.9512, "D7": 3, "C8": 0.1 + 0.2, "C9": 48.9512 + 0.1 + 0.2, "D9": 3} {
		v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType(sheet, cell)
		got, err := strconv.ParseFloat(v, 64)
		if err != nil || math.Abs(got-want) > 1e-14*math.Max(1, want) || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset && typ != excelize.CellTypeFormula) {
			t.Errorf("%s = %q (type %v), want the number %v", cell, v, typ, want)
		}
	}
	if fm, _ := f.GetCellFormula(sheet, "C9"); fm != "SUBTOTAL(109,C7:C8)" {
		t.Errorf("total formula %q", fm)
	}
	if v, _ := f.GetCellValue(sheet, "C7"); v != "48.95" {
		t.Errorf("area shows %q, want two decimals", v)
	}
	if v, _ := f.GetCellValue(sheet, "E7"); v != "2025-12-31" {
		t.Errorf("date cell shows %q", v)
	}
	// An all-digit code stays text, every digit kept.
	if typ, _ := f.GetCellType(sheet, "F7"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("USCC cell type %v, want text", typ)
	}
	if v, _ := f.GetCellValue(sheet, "F7"); v != "913303041234567890" {
		t.Errorf("USCC %q", v)
	}
	// Columns fit their Chinese text; the header stays on screen; filter buttons.
	if w, _ := f.GetColWidth(sheet, "B"); w < displayWidth("温州示例鞋业有限公司（示例）") {
		t.Errorf("holder column %v wide", w)
	}
	panes, _ := f.GetPanes(sheet)
	if !panes.Freeze || panes.YSplit != 6 {
		t.Errorf("panes %+v", panes)
	}
	if tables, _ := f.GetTables(sheet); len(tables) != 1 || tables[0].Range != "A6:F8" {
		t.Errorf("tables %+v", tables)
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"宗地状态变化（2025-01-01 → 2025-12-31）": "宗地状态变化（2025-01-01 → 2025-12-31）",
		"a/b:c":                 "a_b_c",
		"":                      "报表",
		strings.Repeat("长", 40): strings.Repeat("长", 31),
	} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q, want %q", in, got, want)
		}
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

// TestXLSXSheets: a table with Sheets writes each as its own sheet, laid out like a single
// table (title block, header, rows, totals), with unique sheet and table names, and
// ReadXLSXSheets reads them back in order; the other formats write the table itself.
func TestXLSXSheets(t *testing.T) {
	a, b := sample(), sample()
	a.Sheet, b.Sheet = "瓯海区 330304", "瓯海区 330304" // the same name twice
	b.Rows = b.Rows[:1]
	top := sample()
	top.Sheet = "汇总"
	top.Sheets = []*Table{top, a, b}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, top); err != nil {
		t.Fatal(err)
	}
	sheets, err := ReadXLSXSheets(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 3 || sheets[0].Name != "汇总" || sheets[1].Name != "瓯海区 330304" || sheets[2].Name != "瓯海区 330304 (2)" {
		t.Fatalf("sheets %d: %v", len(sheets), sheets)
	}
	for i, s := range sheets {
		want := []*Table{top, a, b}[i]
		if s.Title != want.Title || len(s.Rows) != len(want.Rows) || s.Totals == nil || s.Header[0] != "宗地代码 Parcel code" {
			t.Errorf("sheet %s: %+v", s.Name, s)
		}
	}
	if v, _ := strconv.ParseFloat(sheets[2].Totals[2], 64); v != 48.9512 {
		t.Errorf("the one-row sheet totals %v", sheets[2].Totals)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	for _, name := range f.GetSheetList() {
		tables, err := f.GetTables(name)
		if err != nil || len(tables) != 1 || seen[tables[0].Name] {
			t.Errorf("sheet %s: tables %v (%v)", name, tables, err)
			continue
		}
		seen[tables[0].Name] = true
	}
	// ReadXLSX still reads the first sheet.
	first, err := ReadXLSX(bytes.NewReader(buf.Bytes()))
	if err != nil || first.Name != "汇总" {
		t.Errorf("ReadXLSX: %v %v", err, first)
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, top); err != nil || strings.Count(js.String(), "330304001001GB00001") != 1 {
		t.Errorf("JSON of a table with sheets: %v %s", err, js.String())
	}
}
