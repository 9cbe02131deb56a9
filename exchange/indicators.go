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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// Indicators is the import of enterprises' annual indicators (企业年度亩均指标, issue
// 13.5): a spreadsheet or CSV from the tax or economic bureau, one row per enterprise
// for one year, loaded into enterprise_indicators all or nothing. A row whose
// enterprise already has figures for the year replaces them (a new version; the old
// stays in history), and the report says so row by row.
const Indicators Kind = "indicators"

func init() { defaultNames[Indicators] = indicatorNames }

// indicatorNames are the headers bureaus use for each figure (upper-cased for matching);
// other headers are mapped with a mapping file (docs/exchange.md).
var indicatorNames = map[string][]string{
	"uscc":         {"TYSHXYDM", "XYDM", "统一社会信用代码", "社会信用代码", "信用代码", "纳税人识别号"},
	"name":         {"QYMC", "企业名称", "单位名称", "纳税人名称", "企业"},
	"year":         {"ND", "年度", "年份", "评价年度"},
	"tax_wan":      {"税收", "评价税收", "实缴税金", "实缴税收", "税收（万元）", "税收(万元)", "实缴税金（万元）", "实缴税金(万元)", "TAX"},
	"va_wan":       {"增加值", "工业增加值", "增加值（万元）", "增加值(万元)", "工业增加值（万元）", "工业增加值(万元)", "VA"},
	"energy_tce":   {"综合能耗", "能耗", "综合能耗（吨标煤）", "综合能耗(吨标煤)", "综合能耗（吨标准煤）", "综合能耗(吨标准煤)", "ENERGY"},
	"emission_t":   {"排放量", "污染物排放量", "主要污染物排放量", "排放量（吨）", "排放量(吨)", "EMISSION"},
	"employees":    {"从业人员", "从业人员数", "年平均职工人数", "职工人数", "员工人数", "EMPLOYEES"},
	"rd_wan":       {"研发经费", "研发费用", "研发经费（万元）", "研发经费(万元)", "R&D经费", "RD"},
	"revenue_wan":  {"营业收入", "主营业务收入", "营业收入（万元）", "营业收入(万元)", "主营业务收入（万元）", "主营业务收入(万元)", "REVENUE"},
	"land_mu_used": {"用地面积", "用地面积（亩）", "用地面积(亩)", "占地面积（亩）", "占地面积(亩)", "LAND_MU"},
	"invest_wan":   {"固定资产投资", "累计固定资产投资", "固定资产投资（万元）", "固定资产投资(万元)", "累计固定资产投资（万元）", "累计固定资产投资(万元)", "INVEST"},
	"reported_on":  {"报送日期", "数据日期", "填报日期"},
	"source":       {"数据来源", "来源"},
}

// indicatorTargets are the properties of an indicators row with their SQL types: the
// key, the name (shown in the report only) and landreg.IndicatorFields.
func indicatorTargets() map[string]string {
	t := map[string]string{"uscc": "text", "name": "text", "year": "integer"}
	for k, v := range landreg.IndicatorFields {
		t[k] = v
	}
	return t
}

// indicatorRow is one row of the file as it would be stored.
type indicatorRow struct {
	idx int
	rec map[string]string
}

// rowZh and rowEn name a row as a spreadsheet shows it: the header is row 1.
func rowZh(idx int) string { return fmt.Sprintf("第 %d 行", idx+2) }
func rowEn(idx int) string { return fmt.Sprintf("row %d", idx+2) }

// rowMsg puts the row before each half of a bilingual message ("中文 / English").
func rowMsg(idx int, msg string) string {
	if zh, en, ok := strings.Cut(msg, " / "); ok {
		return rowZh(idx) + "：" + zh + " / " + rowEn(idx) + ": " + en
	}
	return rowZh(idx) + " / " + rowEn(idx) + ": " + msg
}

// importIndicators is Import for Indicators (see Import for the errors).
func importIndicators(ctx context.Context, pool *pgxpool.Pool, opt ImportOptions) (*Report, error) {
	if opt.Year < 1900 || opt.Year > 2199 {
		return nil, &InputError{"须指定指标年度（--year / year=）", fmt.Sprintf("the year of the indicators is required (--year / year=), from 1900 to 2199; got %d", opt.Year)}
	}
	if !HaveGDAL() {
		return nil, ErrNoGDAL
	}
	mapping, err := NewMapping(Indicators, opt.Mapping)
	if err != nil {
		return nil, &InputError{"字段映射无效", err.Error()}
	}
	name := opt.Name
	if name == "" {
		name = filepath.Base(opt.Path)
	}
	src, layer, openOpts, err := openLayer(ctx, opt.Path, opt.Name, opt.Encoding, opt.Layer)
	if ee := (*EncodingError)(nil); errors.As(err, &ee) {
		rep := &Report{Kind: Indicators, File: name, DryRun: opt.DryRun, Year: opt.Year, Totals: map[string]int{}, Problems: []Problem{}}
		for _, p := range ee.Problems {
			rep.add(p)
		}
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(src.work)
	rep := &Report{Kind: Indicators, File: name, Layer: layer.Name, DryRun: opt.DryRun, Year: opt.Year,
		Features: layer.Count, Totals: map[string]int{}, Problems: []Problem{}}
	if src.encoding.Name != "" {
		enc := src.encoding
		rep.Encoding = &enc
	}
	used, ignored, conflicts := mapping.Resolve(layer.Fields)
	rep.Mapping, rep.Ignored = used, ignored
	for _, c := range conflicts {
		rep.Notes = append(rep.Notes, "字段重复映射 / two fields map to one property: "+c)
	}
	have := map[string]bool{}
	for _, p := range used {
		have[p] = true
	}
	var missing []string
	for _, n := range []string{"uscc", "tax_wan"} {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		rep.add(Problem{Index: -1, Code: "missing-field", Field: strings.Join(missing, ","), Message: fmt.Sprintf(
			"缺少必需字段 %s，请在字段映射中指明 / the file has no column for %s: name it in the field mapping (e.g. {\"纳税总额\": \"tax_wan\"})",
			strings.Join(missing, "、"), strings.Join(missing, ", "))})
		return rep, nil
	}
	t0 := time.Now()
	rows, err := readIndicatorRows(ctx, src, openOpts, layer.Name, used, opt, rep)
	if err != nil {
		return nil, err
	}
	rep.TimingsMS = map[string]int64{"read": time.Since(t0).Milliseconds()}
	bad := map[int]bool{}
	for _, p := range rep.Problems {
		if p.Index >= 0 && p.Severity == "error" {
			bad[p.Index] = true
		}
	}
	change := opt.Change
	if change.Reason == "" {
		change.Reason = fmt.Sprintf("导入 %s（%d 年度指标）/ import of %s (indicators %d)", name, opt.Year, name, opt.Year)
	}
	errRollback := errors.New("rollback")
	t1 := time.Now()
	err = store.InTx(ctx, pool, change, func(tx pgx.Tx) error {
		if err := checkIndicatorRows(ctx, tx, rows, rep, bad); err != nil {
			return err
		}
		rep.TimingsMS["validate"] = time.Since(t1).Milliseconds()
		rep.Invalid = len(bad)
		rep.Valid = rep.Features - rep.Invalid
		if !rep.OK() || opt.DryRun {
			return errRollback
		}
		defer func(t time.Time) { rep.TimingsMS["load"] = time.Since(t).Milliseconds() }(time.Now())
		b := &pgx.Batch{}
		for _, r := range rows {
			store.QueueIndicators(b, r.rec)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		rep.Imported = len(rows)
		return nil
	})
	if err != nil && !errors.Is(err, errRollback) {
		if p := dbRefusal(err); p != nil {
			rep.add(*p)
			rep.Imported = 0
			return rep, nil
		}
		return nil, err
	}
	rep.sortProblems()
	return rep, nil
}

// readIndicatorRows reads the sheet's rows (readTable, as the other spreadsheet imports
// do) and checks each as the registry would store it (landreg.ValidateIndicators, the
// API's checks); problems go to rep with the row, the field and the USCC.
func readIndicatorRows(ctx context.Context, src *source, openOpts []string, layer string, used map[string]string,
	opt ImportOptions, rep *Report) ([]indicatorRow, error) {
	table, err := readTable(ctx, src, openOpts, layer, used)
	if err != nil {
		return nil, err
	}
	types := indicatorTargets()
	var rows []indicatorRow
	seen := map[string]int{}
	for _, tr := range table {
		idx := tr.idx
		if row, ok := indicatorRecord(idx, tr.vals, types, opt, rep); ok {
			if prev, dup := seen[row.rec["uscc"]]; dup {
				problemAt(rep, idx, row.rec["uscc"], "duplicate", "uscc", fmt.Sprintf(
					"%s：企业 %s 在文件中重复（首见于%s）/ %s: enterprise %s appears twice in the file (first in %s)",
					rowZh(idx), row.rec["uscc"], rowZh(prev), rowEn(idx), row.rec["uscc"], rowEn(prev)))
			} else {
				seen[row.rec["uscc"]] = idx
				rows = append(rows, row)
			}
		}
		if opt.Progress != nil && (idx+1)%500 == 0 {
			opt.Progress(idx+1, rep.Features)
		}
	}
	rep.Features = len(table)
	return rows, nil
}

func problemAt(rep *Report, idx int, uscc, code, field, msg string) {
	rep.add(Problem{Index: idx, SourceID: uscc, Code: code, Field: field, Message: msg})
}

// indicatorRecord turns one feature into a record; false when a problem was found.
func indicatorRecord(idx int, vals map[string]string, types map[string]string, opt ImportOptions, rep *Report) (indicatorRow, bool) {
	rec := make(map[string]string, len(vals))
	for k, v := range vals {
		rec[k] = v
	}
	uscc := strings.ToUpper(rec["uscc"])
	rec["uscc"] = uscc
	before := rep.Errors
	reported := map[string]bool{}
	for _, k := range sortedKeys(rec) {
		typ := types[k]
		if typ == "text" {
			continue
		}
		n, err := normalize(typ, rec[k])
		if err != nil {
			problemAt(rep, idx, uscc, "bad-value", k, rowMsg(idx, err.Error()))
			reported[k] = true
			delete(rec, k)
			continue
		}
		rec[k] = n
	}
	year := strconv.Itoa(opt.Year)
	if y, ok := rec["year"]; ok && y != year {
		problemAt(rep, idx, uscc, "wrong-year", "year", fmt.Sprintf("%s：年度 %s 与导入年度 %s 不符 / %s: the row is for %s, the import for %s",
			rowZh(idx), y, year, rowEn(idx), y, year))
	}
	rec["year"] = year
	delete(rec, "name")
	for _, e := range landreg.ValidateIndicators(rec) {
		if reported[e.Field] {
			continue // its value was refused above
		}
		code := "bad-value"
		switch {
		case rec[e.Field] == "":
			code = "missing-value"
		case e.Kind == landreg.KindInvalidCode:
			code = "bad-code"
		}
		problemAt(rep, idx, uscc, code, e.Field, rowMsg(idx, e.Error()))
	}
	return indicatorRow{idx: idx, rec: rec}, rep.Errors == before
}

// checkIndicatorRows checks the rows against the registry in tx: every USCC must be a
// registered enterprise (unknown-enterprise, an error); figures already on file for the
// year are reported as replaced (replaces-existing, a warning), unchanged ones noted.
func checkIndicatorRows(ctx context.Context, tx pgx.Tx, rows []indicatorRow, rep *Report, bad map[int]bool) error {
	usccs := make([]string, len(rows))
	for i, r := range rows {
		usccs[i] = r.rec["uscc"]
	}
	known := map[string]bool{}
	q, err := tx.Query(ctx, `SELECT uscc FROM enterprises WHERE uscc = ANY ($1)`, usccs)
	if err != nil {
		return err
	}
	for q.Next() {
		var u string
		if err := q.Scan(&u); err != nil {
			return err
		}
		known[u] = true
	}
	if err := q.Err(); err != nil {
		return err
	}
	type onFile struct {
		tax        float64
		version    int
		reportedOn string
	}
	existing := map[string]onFile{}
	q, err = tx.Query(ctx, `SELECT uscc, tax_wan::float8, version, reported_on::text FROM enterprise_indicators WHERE year = $1 AND uscc = ANY ($2)`,
		rep.Year, usccs)
	if err != nil {
		return err
	}
	for q.Next() {
		var u string
		var o onFile
		if err := q.Scan(&u, &o.tax, &o.version, &o.reportedOn); err != nil {
			return err
		}
		existing[u] = o
	}
	if err := q.Err(); err != nil {
		return err
	}
	for _, r := range rows {
		u := r.rec["uscc"]
		if !known[u] {
			bad[r.idx] = true
			problemAt(rep, r.idx, u, "unknown-enterprise", "uscc", fmt.Sprintf(
				"%s：统一社会信用代码 %s 不是已登记的企业，请先登记（landreg import enterprises 或 POST /v1/enterprises）/ "+
					"%s: %s is not a registered enterprise; register it first (landreg import enterprises or POST /v1/enterprises)",
				rowZh(r.idx), u, rowEn(r.idx), u))
			continue
		}
		if o, ok := existing[u]; ok {
			rep.add(Problem{Index: r.idx, SourceID: u, Code: "replaces-existing", Severity: "warning", Field: "tax_wan", Message: fmt.Sprintf(
				"%s：替换 %d 年已有指标（第 %d 版，税收 %s 万元，%s 报送）为本文件数据，原数据保留于历史 / %s: replaces the %d figures on file "+
					"(version %d, tax %s 万元, reported %s); the old version stays in history",
				rowZh(r.idx), rep.Year, o.version, strconv.FormatFloat(o.tax, 'f', -1, 64), o.reportedOn,
				rowEn(r.idx), rep.Year, o.version, strconv.FormatFloat(o.tax, 'f', -1, 64), o.reportedOn)})
		}
	}
	return nil
}
