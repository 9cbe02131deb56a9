// Package report renders the auditors' tables (报表) in the formats bureaus use: JSON
// for programs, CSV and XLSX with Chinese headers for spreadsheets, and GeoJSON when the
// rows have geometry.
package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Kind says how a column's values are written.
type Kind int

const (
	Text Kind = iota
	Number
	Integer
	Date
)

// Column of a report: a stable key for JSON and a header for people.
type Column struct {
	Key    string
	Header string // e.g. "宗地代码 Parcel code"
	Kind   Kind
}

// Table is one report: ordered columns, rows of values (nil = empty), and optionally a
// GeoJSON geometry per row.
type Table struct {
	Title    string
	Columns  []Column
	Rows     [][]any
	Geometry []json.RawMessage
}

// Formats lists what Write understands.
var Formats = []string{"json", "csv", "xlsx", "geojson"}

// ContentType of a format.
func ContentType(format string) string {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "geojson":
		return "application/geo+json"
	}
	return "application/json"
}

// Write renders t in format.
func Write(w io.Writer, t *Table, format string) error {
	switch format {
	case "json":
		return WriteJSON(w, t)
	case "csv":
		return WriteCSV(w, t)
	case "xlsx":
		return WriteXLSX(w, t)
	case "geojson":
		return WriteGeoJSON(w, t)
	}
	return fmt.Errorf("unknown report format %q", format)
}

func (t *Table) records() []map[string]any {
	out := make([]map[string]any, len(t.Rows))
	for i, r := range t.Rows {
		m := make(map[string]any, len(t.Columns))
		for j, c := range t.Columns {
			m[c.Key] = jsonValue(r[j])
		}
		out[i] = m
	}
	return out
}

func jsonValue(v any) any {
	if d, ok := v.(time.Time); ok {
		return d.Format(time.DateOnly)
	}
	if d, ok := v.(*time.Time); ok {
		if d == nil {
			return nil
		}
		return d.Format(time.DateOnly)
	}
	return v
}

// WriteJSON writes {"title", "columns": [{key, header}], "rows": [{key: value}]}.
func WriteJSON(w io.Writer, t *Table) error {
	cols := make([]map[string]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = map[string]string{"key": c.Key, "header": c.Header}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{"title": t.Title, "columns": cols, "rows": t.records()})
}

// text renders a value for CSV.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case *string:
		if x == nil {
			return ""
		}
		return *x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	case time.Time:
		return x.Format(time.DateOnly)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.Format(time.DateOnly)
	}
	return fmt.Sprint(v)
}

// WriteCSV writes UTF-8 CSV with a byte-order mark, which Excel needs to read Chinese.
func WriteCSV(w io.Writer, t *Table) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Header
	}
	cw.Write(header)
	rec := make([]string, len(t.Columns))
	for _, r := range t.Rows {
		for j := range t.Columns {
			rec[j] = text(r[j])
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes one sheet: Chinese headers, numbers as numbers, dates as dates.
func WriteXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "报表"
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	header := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = excelize.Cell{StyleID: bold, Value: c.Header}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, r := range t.Rows {
		row := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			v := deref(r[j])
			switch {
			case v == nil:
				row[j] = nil
			case c.Kind == Date:
				if d, ok := v.(time.Time); ok {
					row[j] = excelize.Cell{StyleID: dateStyle, Value: d}
				} else {
					row[j] = text(v)
				}
			default:
				row[j] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

func deref(v any) any {
	switch x := v.(type) {
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case *time.Time:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}

// WriteGeoJSON writes the rows as Features (properties keyed by column key).
func WriteGeoJSON(w io.Writer, t *Table) error {
	if len(t.Geometry) != len(t.Rows) {
		return fmt.Errorf("report %q has no geometry", t.Title)
	}
	type feature struct {
		Type       string          `json:"type"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	}
	recs := t.records()
	fs := make([]feature, len(recs))
	for i, r := range recs {
		g := t.Geometry[i]
		if len(g) == 0 {
			g = json.RawMessage("null")
		}
		fs[i] = feature{Type: "Feature", Geometry: g, Properties: r}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{"type": "FeatureCollection", "name": t.Title, "features": fs})
}
