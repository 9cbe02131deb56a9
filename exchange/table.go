package exchange

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Spreadsheets (issue 13.4, 13.5): enterprises and parcel events arrive as the XLSX or
// CSV files bureaus keep, one row per enterprise or event under Chinese headings. They
// are read by GDAL's XLSX and CSV drivers with the same safeguards as layers (one
// driver, Go-checked content, no network), mapped by the same header mapping, checked
// row by row with the same report, and loaded all or nothing in one transaction.

// MaxTableRows bounds the rows of one spreadsheet.
const MaxTableRows = 1_000_000

// tableRow is one data row: its position (from 0, the header row not counted) and its
// mapped values (property → text; empty cells absent).
type tableRow struct {
	idx  int
	vals map[string]string
}

// importTable reads a spreadsheet for a tabular kind and hands its rows to the kind's
// loader.
func importTable(ctx context.Context, pool *pgxpool.Pool, opt ImportOptions) (*Report, error) {
	mapping, err := NewMapping(opt.Kind, opt.Mapping)
	if err != nil {
		return nil, &InputError{"字段映射无效", err.Error()}
	}
	if ext := strings.ToLower(filepath.Ext(opt.Path)); tableDrivers[ext] == "" {
		return nil, &InputError{"企业和事件从 .xlsx 或 .csv 文件导入", fmt.Sprintf("%s are imported from a spreadsheet: .xlsx or .csv, not %q", opt.Kind, ext)}
	}
	name := opt.Name
	if name == "" {
		name = filepath.Base(opt.Path)
	}
	rep := &Report{Kind: opt.Kind, File: name, DryRun: opt.DryRun, Totals: map[string]int{}, Problems: []Problem{}}
	src, layer, openOpts, err := openLayer(ctx, opt.Path, opt.Name, "", opt.Layer)
	if ee := (*EncodingError)(nil); errors.As(err, &ee) {
		for _, p := range ee.Problems {
			rep.add(p)
		}
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(src.work)
	rep.Layer = layer.Name
	if src.encoding.Name != "" {
		enc := src.encoding
		rep.Encoding = &enc
	}
	used, ignored, conflicts := mapping.Resolve(layer.Fields)
	rep.Mapping, rep.Ignored = used, ignored
	for _, c := range conflicts {
		rep.Notes = append(rep.Notes, "字段重复映射 / two fields map to one property: "+c)
	}
	if p := requireColumns(opt.Kind, used); p != nil {
		rep.add(*p)
		return rep, nil
	}
	rows, err := readTable(ctx, src, openOpts, layer.Name, used)
	if err != nil {
		return nil, err
	}
	rep.Features = len(rows)
	bad := map[int]bool{}
	for _, r := range rows {
		for _, c := range sortedKeys(r.vals) {
			if v := r.vals[c]; strings.ContainsRune(v, utf8.RuneError) {
				rep.add(Problem{Index: r.idx, Code: "bad-encoding", Field: c, Message: replacementMessage(c, v)})
				bad[r.idx] = true
				delete(r.vals, c)
			}
		}
	}
	change := opt.Change
	if change.Reason == "" {
		change.Reason = "导入 " + name + " / import of " + name
	}
	switch opt.Kind {
	case Enterprises:
		err = loadEnterprises(ctx, pool, opt, change, rep, rows, bad)
	case Events:
		err = loadEvents(ctx, pool, opt, change, rep, rows, bad)
	}
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		if p := dbRefusal(err); p != nil {
			rep.add(*p)
			rep.Imported, rep.Created, rep.Updated = 0, 0, 0
			rep.Valid, rep.Invalid = 0, rep.Features
			return rep, nil
		}
		return nil, err
	}
	rep.sortProblems()
	return rep, nil
}

// requireColumns: the columns without which no row can be read.
func requireColumns(k Kind, used map[string]string) *Problem {
	have := map[string]bool{}
	for _, p := range used {
		have[p] = true
	}
	need := []string{"uscc"}
	example := `{"统一社会信用代码": "uscc"}`
	if k == Events {
		need, example = []string{"zddm", "type", "event_date"}, `{"宗地代码": "zddm", "事件类型": "type", "事件日期": "event_date"}`
	}
	var missing []string
	for _, n := range need {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &Problem{Index: -1, Code: "missing-field", Field: strings.Join(missing, ","), Message: fmt.Sprintf(
		"缺少必需的列 %s，请在字段映射中指明 / the file has no column for %s: name it in the field mapping (e.g. %s)",
		strings.Join(missing, "、"), strings.Join(missing, ", "), example)}
}

// readTable streams a sheet out of ogr2ogr (GeoJSONSeq, every cell text) and keeps the
// mapped values of each row. Rows with no value at all (Excel's formatted empty rows)
// are skipped.
func readTable(ctx context.Context, src *source, openOpts []string, layer string, used map[string]string) ([]tableRow, error) {
	args := append([]string{"-f", "GeoJSONSeq", "/vsistdout/"}, openOpts...)
	args = append(args, src.path, layer, "-mapFieldType", "Date=String,DateTime=String,Time=String")
	var rows []tableRow
	err := eachFeature(ctx, src, args, func(_ int, f *seqFeature) error {
		vals := map[string]string{}
		for k, v := range f.Properties {
			if p, ok := used[k]; ok {
				if s := text(v); s != "" {
					vals[p] = s
				}
			}
		}
		if len(vals) > 0 || len(f.Properties) > 0 && anyValue(f.Properties) {
			if len(rows) >= MaxTableRows {
				return &InputError{"表格行数过多", fmt.Sprintf("the sheet has more than %d rows; split it", MaxTableRows)}
			}
			rows = append(rows, tableRow{idx: len(rows), vals: vals})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func anyValue(props map[string]any) bool {
	for _, v := range props {
		if text(v) != "" {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// rowID is a row's name in the report: its key when it has one, else its line in the
// sheet (the header is line 1).
func rowID(key string, idx int) string {
	if key != "" {
		return key
	}
	return fmt.Sprintf("row %d", idx+2)
}
