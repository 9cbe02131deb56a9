package exchange

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/store"
)

// The official 亩均 classes (亩均效益综合评价结果, issue 15.5) as the bureau publishes
// them: one row per enterprise, A/B/C/D, from an XLSX or CSV (or any table GDAL reads)
// through the spreadsheet reading of the other imports (openLayer, readTable: the file
// checked by Go, one driver, CSV transcoded), written in one transaction.

// ClassOptions are the inputs of ImportClasses.
type ClassOptions struct {
	Path, Name, Layer, Encoding string
	// Year, PublishedOn and DocNo apply to rows that do not carry their own.
	Year        int
	PublishedOn string
	DocNo       string
	DryRun      bool
	Change      store.Change
}

// ClassReport says what an import of classes read and wrote; Problems refuse the file.
type ClassReport struct {
	Rows     int                 `json:"rows"`
	Written  int                 `json:"written"`
	DryRun   bool                `json:"dry_run"`
	Classes  map[string]int      `json:"classes"`
	Problems []Problem           `json:"problems"`
	Results  []store.MujunResult `json:"-"`
}

// classHeaders maps the headers bureaus use to the fields of a class.
var classHeaders = map[string]string{
	"uscc": "uscc", "统一社会信用代码": "uscc", "信用代码": "uscc", "社会信用代码": "uscc",
	"year": "year", "年度": "year", "评价年度": "year",
	"class": "class", "等级": "class", "评价等级": "class", "类别": "class", "评价类别": "class", "分类": "class",
	"score": "score", "得分": "score", "综合得分": "score",
	"published_on": "published_on", "公布日期": "published_on", "发布日期": "published_on",
	"doc_no": "doc_no", "文号": "doc_no",
}

// classValue normalises a class as written: A, A类, a, A 类 → A.
func classValue(s string) string {
	s = strings.ToUpper(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "类")))
	return s
}

// ImportClasses reads the classes of a file and, unless DryRun or a row is refused,
// writes them (a class on file for the same enterprise and year becomes history).
func ImportClasses(ctx context.Context, pool *pgxpool.Pool, opt ClassOptions) (*ClassReport, error) {
	src, layer, openOpts, err := openLayer(ctx, opt.Path, opt.Name, opt.Encoding, opt.Layer)
	if ee := (*EncodingError)(nil); errors.As(err, &ee) {
		return &ClassReport{DryRun: opt.DryRun, Classes: map[string]int{}, Problems: ee.Problems}, nil
	}
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(src.work)
	rep := &ClassReport{DryRun: opt.DryRun, Classes: map[string]int{}, Problems: []Problem{}}
	used := map[string]string{}
	for _, f := range layer.Fields {
		if c, ok := classHeaders[strings.ToLower(strings.TrimSpace(f))]; ok {
			used[f] = c
		}
	}
	rows, err := readTable(ctx, src, openOpts, layer.Name, used)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for _, row := range rows {
		classRow(rep, row.idx, row.vals, opt, seen)
	}
	if rep.Rows == 0 {
		rep.Problems = append(rep.Problems, Problem{Index: -1, Code: "empty", Severity: "error", Message: "文件中没有评价结果 / the file holds no classes"})
	}
	if len(rep.Problems) > 0 || opt.DryRun {
		return rep, nil
	}
	if err := store.SetMujunResults(ctx, pool, opt.Change, rep.Results); err != nil {
		if e := store.Translate(err); e != nil {
			rep.Problems = append(rep.Problems, Problem{Index: -1, Code: e.Kind, Severity: "error", Field: e.Field, Message: e.Error()})
			return rep, nil
		}
		return nil, err
	}
	rep.Written = len(rep.Results)
	return rep, nil
}

// classRow checks one row and adds it to rep.
func classRow(rep *ClassReport, idx int, vals map[string]string, opt ClassOptions, seen map[string]int) {
	rep.Rows++
	v := map[string]string{}
	for k, val := range vals {
		v[k] = strings.TrimSpace(val)
	}
	bad := func(field, zh, en string) {
		rep.Problems = append(rep.Problems, Problem{Index: idx, SourceID: v["uscc"], Code: "invalid-value", Severity: "error",
			Field: field, Message: zh + " / " + en})
	}
	r := store.MujunResult{USCC: strings.ToUpper(v["uscc"]), Class: classValue(v["class"]), Year: opt.Year,
		PublishedOn: opt.PublishedOn}
	if opt.DocNo != "" {
		r.DocNo = &opt.DocNo
	}
	if err := codes.USCC(r.USCC); err != nil {
		bad("uscc", "统一社会信用代码无效", fmt.Sprintf("invalid USCC %q: %v", v["uscc"], err))
	}
	if s, ok := v["year"]; ok && s != "" {
		y, err := strconv.Atoi(strings.TrimSuffix(s, "年"))
		if err != nil || (opt.Year != 0 && y != opt.Year) {
			bad("year", "年度无效或与 --year 不符", fmt.Sprintf("year %q is not a year or differs from --year %d", s, opt.Year))
		}
		r.Year = y
	}
	if r.Year < 1900 || r.Year > 2199 {
		bad("year", "缺少评价年度（列“年度”或 --year）", "missing the year (a 年度 column or --year)")
	}
	if !strings.Contains("ABCD", r.Class) || len(r.Class) != 1 {
		bad("class", "评价类别须为 A、B、C 或 D", fmt.Sprintf("class must be A, B, C or D, got %q", v["class"]))
	}
	if s, ok := v["score"]; ok && s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !(f >= 0 && f <= 1e4) {
			bad("score", "得分须为 0–10000 的数", fmt.Sprintf("score must be a number from 0 to 10000, got %q", s))
		} else {
			r.Score = &f
		}
	}
	if s, ok := v["published_on"]; ok && s != "" {
		r.PublishedOn = s
	}
	if d, err := time.Parse(time.DateOnly, r.PublishedOn); err != nil {
		bad("published_on", "缺少或无效的公布日期（列“公布日期”或 --published-on）", fmt.Sprintf("missing or invalid publication date %q (a 公布日期 column or --published-on)", r.PublishedOn))
	} else if d.Year() <= r.Year {
		bad("published_on", "评价结果须在评价年度结束后公布", "a class is published after its year ends")
	}
	if s, ok := v["doc_no"]; ok && s != "" {
		r.DocNo = &s
	}
	key := r.USCC + "/" + strconv.Itoa(r.Year)
	if first, dup := seen[key]; dup {
		bad("uscc", fmt.Sprintf("与第 %d 行重复", first+1), fmt.Sprintf("the same enterprise and year as row %d", first+1))
	}
	seen[key] = idx
	rep.Classes[r.Class]++
	rep.Results = append(rep.Results, r)
}

// Classes is the import kind of the official classes through POST /v1/imports
// (kind=mujun-classes): the same reading and checks as ImportClasses (landreg
// mujun-classes import), answered as every import is, with an import report.
const Classes Kind = "mujun-classes"

// importClassKind runs ImportClasses for Import and reports it as the other kinds do:
// one problem per refused cell, nothing written unless the whole file is clean (and not
// a dry run), the counts of each class in the notes.
func importClassKind(ctx context.Context, pool *pgxpool.Pool, opt ImportOptions) (*Report, error) {
	if !HaveGDAL() {
		return nil, ErrNoGDAL
	}
	name := opt.Name
	if name == "" {
		name = filepath.Base(opt.Path)
	}
	if opt.PublishedOn != "" {
		if _, err := time.Parse(time.DateOnly, opt.PublishedOn); err != nil {
			return nil, &InputError{"公布日期 published_on 须为 YYYY-MM-DD", fmt.Sprintf("published_on must be a date YYYY-MM-DD, got %q", opt.PublishedOn)}
		}
	}
	cr, err := ImportClasses(ctx, pool, ClassOptions{Path: opt.Path, Name: name, Layer: opt.Layer, Encoding: opt.Encoding,
		Year: opt.Year, PublishedOn: opt.PublishedOn, DocNo: opt.DocNo, DryRun: opt.DryRun, Change: opt.Change})
	if err != nil {
		return nil, err
	}
	rep := &Report{Kind: Classes, File: name, Layer: opt.Layer, DryRun: opt.DryRun, Year: opt.Year, Features: cr.Rows,
		Totals: map[string]int{}, Problems: []Problem{}, Mapping: map[string]string{}}
	bad := map[int]bool{}
	for _, p := range cr.Problems {
		rep.add(p)
		bad[p.Index] = true
	}
	rep.Invalid = len(bad)
	delete(bad, -1)
	rep.Valid = cr.Rows - len(bad)
	rep.Imported = cr.Written
	for _, c := range []string{"A", "B", "C", "D"} {
		if n := cr.Classes[c]; n > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s 类 class %s: %d", c, c, n))
		}
	}
	return rep, nil
}
