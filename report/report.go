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
	"math"
	"strconv"
	"strings"
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
	// Total: the XLSX gets a totals row summing this column (areas, fees, counts).
	Total bool
}

// Table is one report: ordered columns, rows of values (nil = empty), and optionally a
// GeoJSON geometry per row.
type Table struct {
	Title    string
	Columns  []Column
	Rows     [][]any
	Geometry []json.RawMessage
	// Notes are the lines of the XLSX title block under the title: the date the report
	// is as of, the district, the source ("generated at" is added).
	Notes []string
	// Sheet names the table's XLSX sheet (default: from the title).
	Sheet string
	// Sheets, when set, are what the XLSX workbook holds instead of the table alone
	// (a summary and one sheet per district), each laid out as a table is; the other
	// formats write the table itself.
	Sheets []*Table
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

// WriteXLSX writes one sheet ready to hand out: a title block (title, notes, when it
// was generated), the header row frozen with filter buttons (an Excel table), columns
// as wide as their Chinese text, numbers with two decimals, whole numbers without,
// dates as dates, text cells (codes such as USCCs and 宗地代码) as text, and a totals
// row for the columns that add up (SUBTOTAL, so a filter keeps it right).
//
// A table with Sheets writes one sheet for each of them, in order, each so laid out.
func WriteXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sheets := t.Sheets
	if len(sheets) == 0 {
		sheets = []*Table{t}
	}
	used := map[string]bool{}
	for i, s := range sheets {
		name := s.Sheet
		if name == "" {
			name = s.Title
		}
		name = uniqueSheetName(sheetName(name), used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		// Table names are unique in a workbook: report, report2, …
		table := "report"
		if i > 0 {
			table += strconv.Itoa(i + 1)
		}
		if err := writeSheet(f, name, table, s, st); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// uniqueSheetName appends " (2)", " (3)" … to a name already used, within Excel's 31
// characters.
func uniqueSheetName(name string, used map[string]bool) string {
	out := name
	for k := 2; used[strings.ToLower(out)]; k++ {
		suffix := " (" + strconv.Itoa(k) + ")"
		r := []rune(name)
		if len(r)+len([]rune(suffix)) > 31 {
			r = r[:31-len([]rune(suffix))]
		}
		out = string(r) + suffix
	}
	used[strings.ToLower(out)] = true
	return out
}

// writeSheet lays one table out on a sheet of f (see WriteXLSX).
func writeSheet(f *excelize.File, sheet, table string, t *Table, st styles) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	notes := append(append([]string(nil), t.Notes...), "生成时间 Generated at: "+time.Now().In(shanghai).Format("2006-01-02 15:04"))
	headerRow := len(notes) + 3 // title, notes, a blank row, then the header
	for i, width := range columnWidths(t) {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: "A" + strconv.Itoa(headerRow+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: t.Title}}, excelize.RowOpts{Height: 24}); err != nil {
		return err
	}
	for i, n := range notes {
		if err := sw.SetRow("A"+strconv.Itoa(i+2), []any{excelize.Cell{StyleID: st.note, Value: n}}); err != nil {
			return err
		}
	}
	header := make([]any, len(t.Columns))
	for i, c := range uniqueHeaders(t.Columns) {
		header[i] = excelize.Cell{StyleID: st.header, Value: c}
	}
	if err := sw.SetRow("A"+strconv.Itoa(headerRow), header); err != nil {
		return err
	}
	sums := make([]float64, len(t.Columns))
	for i, r := range t.Rows {
		row := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			v := deref(r[j])
			if v == nil {
				continue
			}
			switch c.Kind {
			case Date:
				if d, ok := v.(time.Time); ok {
					row[j] = excelize.Cell{StyleID: st.date, Value: d}
				} else {
					row[j] = excelize.Cell{StyleID: st.text, Value: text(v)}
				}
			case Number, Integer:
				style := st.number
				if c.Kind == Integer {
					style = st.integer
				}
				if n, ok := number(v); ok {
					sums[j] += n
					row[j] = excelize.Cell{StyleID: style, Value: n}
				} else {
					row[j] = excelize.Cell{StyleID: st.text, Value: text(v)}
				}
			default:
				// Text stays text, whatever it looks like: an all-digit code would
				// otherwise become a number and lose its digits.
				row[j] = excelize.Cell{StyleID: st.text, Value: text(v)}
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(headerRow+1+i), row); err != nil {
			return err
		}
	}
	last := headerRow + len(t.Rows)
	if hasTotals(t) && len(t.Rows) > 0 {
		row := make([]any, len(t.Columns))
		row[0] = excelize.Cell{StyleID: st.totalLabel, Value: "合计 Total"}
		for j, c := range t.Columns {
			if !c.Total {
				continue
			}
			col, _ := excelize.ColumnNumberToName(j + 1)
			style := st.totalNumber
			if c.Kind == Integer {
				style = st.totalInteger
			}
			// The cached value is the sum, so readers that do not calculate see it too.
			row[j] = excelize.Cell{StyleID: style, Value: sums[j],
				Formula: fmt.Sprintf("SUBTOTAL(109,%s%d:%s%d)", col, headerRow+1, col, last)}
		}
		if err := sw.SetRow("A"+strconv.Itoa(last+1), row); err != nil {
			return err
		}
	}
	if len(t.Columns) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(t.Columns), max(last, headerRow+1))
		off := false
		if err := sw.AddTable(&excelize.Table{Range: "A" + strconv.Itoa(headerRow) + ":" + end, Name: table,
			StyleName: "TableStyleLight9", ShowRowStripes: &off}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

var shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// sheetName is the title as Excel allows a sheet name: 31 characters, none of []:*?/\.
func sheetName(title string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, title)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if strings.TrimSpace(name) == "" {
		return "报表"
	}
	return name
}

type styles struct {
	title, note, header, text, date, number, integer, totalLabel, totalNumber, totalInteger int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	top := []excelize.Border{{Type: "top", Color: "000000", Style: 1}}
	for _, x := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.note, excelize.Style{Font: &excelize.Font{Color: "555555"}}},
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}},
		{&s.text, excelize.Style{NumFmt: 49}}, // @: text
		{&s.date, excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")}},
		{&s.number, excelize.Style{NumFmt: 4}},  // #,##0.00
		{&s.integer, excelize.Style{NumFmt: 3}}, // #,##0
		{&s.totalLabel, excelize.Style{Font: &excelize.Font{Bold: true}, Border: top}},
		{&s.totalNumber, excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 4, Border: top}},
		{&s.totalInteger, excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 3, Border: top}},
	} {
		if *x.id, err = f.NewStyle(&x.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

func ptr[T any](v T) *T { return &v }

func hasTotals(t *Table) bool {
	for _, c := range t.Columns {
		if c.Total {
			return true
		}
	}
	return false
}

// number is a numeric cell value as float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// displayWidth is the width of text in Excel's character units: a CJK (full-width)
// character takes two.
func displayWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// columnWidths fit each column to its widest value and to its header on two lines
// (headers wrap), between 8 and 60 characters.
func columnWidths(t *Table) []float64 {
	out := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		w := displayWidth(c.Header)/2 + 2
		for _, r := range t.Rows {
			v := deref(r[i])
			if v == nil {
				continue
			}
			s := text(v)
			if c.Kind == Number {
				if n, ok := number(v); ok {
					s = strconv.FormatFloat(n, 'f', 2, 64) + "," // the thousands separators, roughly
				}
			}
			w = math.Max(w, displayWidth(s)+2)
		}
		out[i] = math.Min(60, math.Max(8, w))
	}
	return out
}

// uniqueHeaders makes the header texts unique, as an Excel table needs.
func uniqueHeaders(cols []Column) []string {
	seen := map[string]int{}
	out := make([]string, len(cols))
	for i, c := range cols {
		h := c.Header
		if h == "" {
			h = c.Key
		}
		if n := seen[h]; n > 0 {
			out[i] = h + " (" + strconv.Itoa(n+1) + ")"
		} else {
			out[i] = h
		}
		seen[h]++
	}
	return out
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

// Sheet is an XLSX report read back: its title block, header, data rows and totals row
// (nil without one), as raw cell values.
type Sheet struct {
	Name   string // the sheet's name
	Title  string
	Notes  []string
	Header []string
	Rows   [][]string
	Totals []string
}

// ReadXLSX reads back the first sheet of a report WriteXLSX wrote, by its layout: the
// title block down to a blank row, then the header, the rows and the totals row.
func ReadXLSX(r io.Reader) (*Sheet, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readSheet(f, f.GetSheetName(0))
}

// ReadXLSXSheets reads back every sheet of a report WriteXLSX wrote, in order.
func ReadXLSXSheets(r io.Reader) ([]*Sheet, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*Sheet
	for _, name := range f.GetSheetList() {
		s, err := readSheet(f, name)
		if err != nil {
			return nil, fmt.Errorf("sheet %s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func readSheet(f *excelize.File, name string) (*Sheet, error) {
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	s := &Sheet{Name: name}
	i := 0
	for ; i < len(rows) && len(rows[i]) > 0; i++ {
		if i == 0 {
			s.Title = rows[i][0]
		} else {
			s.Notes = append(s.Notes, rows[i][0])
		}
	}
	if i+1 >= len(rows) {
		return nil, fmt.Errorf("no header row after the title block")
	}
	s.Header = rows[i+1]
	s.Rows = rows[i+2:]
	if n := len(s.Rows); n > 0 && len(s.Rows[n-1]) > 0 && s.Rows[n-1][0] == "合计 Total" {
		s.Totals, s.Rows = s.Rows[n-1], s.Rows[:n-1]
	}
	return s, nil
}
