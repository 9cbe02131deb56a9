// Package audit builds the auditors' reports (审计报表, domain.md §7) as report tables,
// for the HTTP API and the CLI alike: idle land by district and category, the idle-land
// ledger, status changes between two dates, a parcel's dossier, data-quality findings
// and 亩均 figures.
package audit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// Params are a report's inputs; each report uses some of them.
type Params struct {
	Date     time.Time  // as of
	From, To time.Time  // status changes
	District string     // "" = every district
	Years    int        // idle at least this many years
	Year     int        // 亩均 year
	ParcelID int64      // dossier
	KnownAt  *time.Time // as known at (targets, remediation, disposals); nil: now
	Overdue  bool       // disposals: only procedures with a step overdue
	// Order and Limit (mujun only): the enterprises by 亩均税收 rank, highest first
	// (OrderTaxDesc) or lowest first (OrderTaxAsc), the first Limit of them; unjudged
	// enterprises have no rank and are left out when an order is given. 0: every row.
	Order string
	Limit int
}

// The orders of the 亩均 report (Params.Order).
const (
	OrderTaxDesc = "tax_per_mu_desc"
	OrderTaxAsc  = "tax_per_mu_asc"
)

// Report is one kind of report.
type Report struct {
	Name  string
	Title string
	// Geo: the rows have geometry (GeoJSON output): every report's rows are about a
	// place (a district, a parcel, an enterprise's parcels).
	Geo   bool
	Build func(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error)
}

// Reports by name, as used in URLs (/v1/audit/{name}) and on the command line.
var Reports = map[string]Report{
	"idle":         {"idle", "闲置低效用地汇总 Idle and inefficient land by district and category", true, idleSummary},
	"idle-parcels": {"idle-parcels", "闲置土地台账 Idle-land ledger", true, idleParcels},
	"changes":      {"changes", "宗地状态变化 Status changes", true, statusChanges},
	"quality":      {"quality", "数据质量问题 Data-quality findings", true, dataQuality},
	"dossier":      {"dossier", "一宗一档 Parcel dossier", true, dossier},
	"mujun":        {"mujun", "亩均效益（预览） Per-mu performance (preview)", true, mujun},
}

// ErrUnknownDistrict: the district a report was asked for is not registered.
var ErrUnknownDistrict = errors.New("unknown district")

// Resolve completes a report's parameters against the registry, as the API and the CLI
// do before Build: a district that is not registered is ErrUnknownDistrict (as for
// quota), and the 亩均 report without a stated year is for the latest year with figures
// on file (in the district), not the calendar's last year.
func Resolve(ctx context.Context, pool *pgxpool.Pool, r Report, p *Params, yearStated bool) error {
	if p.District != "" {
		ok, err := store.DistrictExists(ctx, pool, p.District)
		if err != nil {
			return err
		}
		if !ok {
			return ErrUnknownDistrict
		}
	}
	if (r.Name == "mujun" || r.Name == "mujun-districts") && !yearStated {
		y, err := store.LatestMujunYear(ctx, pool, p.District)
		if err != nil {
			return err
		}
		if y != 0 {
			p.Year = y
		}
	}
	return nil
}

// Names lists the report names in order.
func Names() []string {
	out := make([]string, 0, len(Reports))
	for k := range Reports {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func col(key, header string, kind report.Kind) report.Column {
	return report.Column{Key: key, Header: header, Kind: kind}
}

func idleSummary(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	rows, err := store.IdleSummary(ctx, pool, p.Date, p.District)
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("闲置低效用地汇总（%s）", p.Date.Format(time.DateOnly)), Columns: []report.Column{
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("district", "行政区 District", report.Text),
		col("category", "状态 Category", report.Text),
		col("category_zh", "状态名称 Category (zh)", report.Text),
		col("parcels", "宗数 Parcels", report.Integer),
		col("registered_mu", "登记面积（亩） Registered area (mu)", report.Number),
		col("computed_mu", "计算面积（亩） Computed area (mu)", report.Number),
		col("unused_m2", "未利用面积（m²） Unused area (m²)", report.Number),
		col("idle_fee_wan", "应缴闲置费（万元） Idle fee due (10k CNY)", report.Number),
		col("low_efficient", "低效企业宗数 Low-efficiency parcels", report.Integer),
	}}
	geoms, err := store.DistrictGeometries(ctx, pool, p.Date)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, []any{r.Xzqdm, r.District, r.Category, r.CategoryZh, int64(r.Parcels),
			round(r.RegisteredMu, 4), round(r.ComputedMu, 4), round(r.UnusedM2, 2), round(r.IdleFeeWan, 2), int64(r.LowEfficient)})
		t.Geometry = append(t.Geometry, geoms[r.Xzqdm])
	}
	return t, nil
}

func idleParcels(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	rows, err := store.IdleParcels(ctx, pool, p.Date, p.District, p.Years)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("闲置土地台账（%s）", p.Date.Format(time.DateOnly))
	if p.Years > 0 {
		title = fmt.Sprintf("闲置满 %d 年的宗地（%s）", p.Years, p.Date.Format(time.DateOnly))
	}
	t := &report.Table{Title: title, Columns: []report.Column{
		col("zddm", "宗地代码 Parcel code", report.Text),
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("district", "行政区 District", report.Text),
		col("holder", "权利人 Holder", report.Text),
		col("holder_uscc", "统一社会信用代码 USCC", report.Text),
		col("contract_no", "出让合同号 Contract", report.Text),
		col("agreed_start", "约定开工日期 Agreed start", report.Date),
		col("deadline", "开工期限 Start deadline", report.Date),
		col("category", "状态 Category", report.Text),
		col("category_zh", "状态名称 Category (zh)", report.Text),
		col("since", "起始日期 Since", report.Date),
		col("days_idle", "闲置天数 Days idle", report.Integer),
		col("registered_mu", "登记面积（亩） Registered area (mu)", report.Number),
		col("computed_mu", "计算面积（亩） Computed area (mu)", report.Number),
		col("idle_fee_wan", "应缴闲置费（万元） Idle fee due (10k CNY)", report.Number),
		col("next_step", "下一步 Next legal step", report.Text),
		col("stage", "处置阶段 Disposal stage", report.Text),
		col("stage_zh", "处置阶段名称 Disposal stage (zh)", report.Text),
		col("stage_since", "阶段起始 Stage since", report.Date),
		col("fee_levied_wan", "已征闲置费（万元） Idle fee levied (10k CNY)", report.Number),
		col("fee_paid_wan", "已缴闲置费（万元） Idle fee paid (10k CNY)", report.Number),
		col("fee_outstanding_wan", "欠缴闲置费（万元） Idle fee outstanding (10k CNY)", report.Number),
		col("finding", "发现 Finding", report.Text),
	}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []any{r.Zddm, r.Xzqdm, r.District, r.Holder, r.HolderUSCC, r.ContractNo, r.AgreedStart,
			r.Deadline, r.Category, r.CategoryZh, r.Since, int64(r.DaysIdle), roundp(r.RegisteredMu, 4), round(r.ComputedMu, 4),
			round(r.IdleFeeWan, 2), r.NextStep, r.Stage, r.StageZh, r.StageSince, round(r.FeeLeviedWan, 2), round(r.FeePaidWan, 2),
			round(r.FeeOutstandingWan, 2), r.Finding})
		t.Geometry = append(t.Geometry, r.Geometry)
	}
	return t, nil
}

func statusChanges(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	rows, err := store.StatusChanges(ctx, pool, p.From, p.To, p.District)
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("宗地状态变化（%s → %s）", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)), Columns: []report.Column{
		col("zddm", "宗地代码 Parcel code", report.Text),
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("holder", "权利人 Holder", report.Text),
		col("from", "原状态 From", report.Text),
		col("from_zh", "原状态名称 From (zh)", report.Text),
		col("to", "新状态 To", report.Text),
		col("to_zh", "新状态名称 To (zh)", report.Text),
		col("since", "新状态起始 Since", report.Date),
		col("registered_mu", "登记面积（亩） Registered area (mu)", report.Number),
		col("recovery_basis", "收回依据 Recovery basis", report.Text),
		col("compensation_wan", "补偿金额（万元） Compensation (10k CNY)", report.Number),
	}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []any{r.Zddm, r.Xzqdm, r.Holder, r.FromCategory, r.FromZh, r.ToCategory, r.ToZh, r.Since, roundp(r.RegisteredMu, 4),
			r.RecoveryBasis, roundp(r.CompensationWan, 2)})
		t.Geometry = append(t.Geometry, r.Geometry)
	}
	return t, nil
}

func dataQuality(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	found, err := store.DataQuality(ctx, pool, p.District, p.Date)
	if err != nil {
		return nil, err
	}
	// Check digits are Go's to compute (codes.USCC); the database checks the format only.
	holders, err := store.HolderCodes(ctx, pool, p.District, p.Date)
	if err != nil {
		return nil, err
	}
	for uscc, parcels := range holders {
		if err := codes.USCC(uscc); err != nil {
			for _, f := range parcels {
				f.Kind, f.KindZh, f.Detail = "INVALID_USCC", "统一社会信用代码无效", err.Error()
				found = append(found, f)
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Kind < found[j].Kind })
	t := &report.Table{Title: fmt.Sprintf("数据质量问题 Data-quality findings（%s）", p.Date.Format(time.DateOnly)), Columns: []report.Column{
		col("kind", "问题类型 Finding", report.Text),
		col("kind_zh", "问题 Finding (zh)", report.Text),
		col("zddm", "宗地代码 Parcel code", report.Text),
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("detail", "说明 Detail", report.Text),
	}}
	for _, f := range found {
		t.Rows = append(t.Rows, []any{f.Kind, f.KindZh, f.Zddm, f.Xzqdm, f.Detail})
		t.Geometry = append(t.Geometry, f.Geometry)
	}
	return t, nil
}

func dossier(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	d, err := store.ParcelDossier(ctx, pool, p.ParcelID)
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("一宗一档 parcel %d", p.ParcelID), Columns: []report.Column{
		col("when", "时间 When", report.Text),
		col("kind", "类别 Kind", report.Text),
		col("what", "内容 What", report.Text),
		col("who", "操作人 Who", report.Text),
		col("why", "原因 Why", report.Text),
	}}
	// Versions oldest first: the first in full, each later one as what it changed.
	versions := append([]store.ParcelVersion(nil), d.Versions...)
	sort.Slice(versions, func(i, j int) bool { return versions[i].Version < versions[j].Version })
	for i, v := range versions {
		to := "…"
		if v.ValidTo != nil {
			to = *v.ValidTo
		}
		what := fmt.Sprintf("第 %d 版 version %d, 有效 valid %s – %s", v.Version, v.Version, v.ValidFrom, to)
		if v.Retired {
			what += " (retired 注销)"
		}
		if i == 0 {
			what += ": " + readable(v.Properties)
		} else {
			what += ": " + changes(versions[i-1].Properties, v.Properties, "version", "valid_from", "valid_to")
		}
		t.Rows = append(t.Rows, []any{v.SysFrom.UTC().Format(time.RFC3339), "version 版本", what, v.CreatedBy, v.Reason})
	}
	labels, err := eventLabels(ctx, pool)
	if err != nil {
		return nil, err
	}
	for _, e := range d.Events {
		what := labels[e.Type] + " " + e.Type
		if p := readable(e.Payload); p != "" {
			what += ": " + p
		}
		t.Rows = append(t.Rows, []any{e.EventDate, "event 事件", what, e.RecordedBy, e.Reason})
	}
	if q := d.Disposal; q != nil && (q.Stage != "PENDING" || q.FeeDueWan > 0 || q.GovCauseUnresolved != nil) {
		what := fmt.Sprintf("处置阶段 stage %s %s; 闲置费 idle fee (万元) due %s, levied %s, paid %s, outstanding %s",
			q.Stage, q.StageZh, money(q.FeeDueWan), money(q.FeeLeviedWan), money(q.FeePaidWan), money(q.FeeOutstandingWan))
		if q.RecoveryBasis != nil {
			what += fmt.Sprintf("; 收回依据 recovery basis %s %s", *q.RecoveryBasis, deref(q.RecoveryBasisZh))
			if q.CompensationWan != nil {
				what += fmt.Sprintf(", 补偿 compensation %s 万元", money(*q.CompensationWan))
			}
		}
		if q.GovCauseUnresolved != nil {
			what += "; 原因消除未处置 government cause ended, not disposed of, since " + *q.GovCauseUnresolved
		}
		t.Rows = append(t.Rows, []any{deref(q.StageSince), "disposal 处置", what, "", (*string)(nil)})
	}
	for _, a := range d.Audit {
		var what string
		switch {
		case a.Old != nil && a.New != nil:
			what = changes(a.Old, a.New, "sys_from", "sys_to", "version", "valid_from", "valid_to", "created_by", "reason", "closed_by")
		case a.New != nil:
			what = readable(a.New)
		default:
			what = readable(a.Old)
		}
		t.Rows = append(t.Rows, []any{a.At.UTC().Format(time.RFC3339), "audit 审计", a.Table + " " + a.Op + ": " + what, a.Actor, a.Reason})
	}
	// Every row is about the one parcel: its outline (latest version) on each.
	g, err := store.ParcelGeometry(ctx, pool, p.ParcelID)
	if err != nil {
		return nil, err
	}
	for range t.Rows {
		t.Geometry = append(t.Geometry, g)
	}
	return t, nil
}

func mujun(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	ms, err := store.MujunYear(ctx, pool, p.Year, p.District)
	if err != nil {
		return nil, err
	}
	held, err := store.HoldingGeometries(ctx, pool, p.Year)
	if err != nil {
		return nil, err
	}
	official, err := store.OfficialClasses(ctx, pool, p.Year)
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("%d 年亩均效益（非官方预览） Per-mu performance %d (unofficial preview)", p.Year, p.Year), Columns: []report.Column{
		col("uscc", "统一社会信用代码 USCC", report.Text),
		col("name", "企业名称 Enterprise", report.Text),
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("source", "指标来源 Source of figures", report.Text),
		col("land_mu", "用地面积（亩） Land (mu)", report.Number),
		col("land_source", "面积来源 Land source", report.Text),
		col("tax_wan", "税收（万元） Tax (10k CNY)", report.Number),
		col("va_wan", "增加值（万元） Value added (10k CNY)", report.Number),
		col("tax_per_mu_wan", "亩均税收（万元/亩） Tax per mu", report.Number),
		col("va_per_mu_wan", "亩均增加值（万元/亩） Value added per mu", report.Number),
		col("low_efficiency_threshold_wan", "低效阈值（万元/亩） Threshold", report.Number),
		col("low_efficiency", "低效企业 Low efficiency", report.Text),
		col("preview_score", "预览得分（非官方） Preview score (unofficial)", report.Number),
		col("preview_class", "预览分类（非官方） Preview class (unofficial)", report.Text),
		col("official_class", "评价类别（官方） Official class", report.Text),
		col("tax_per_mu_rank", "亩均税收排名 Rank by tax per mu", report.Integer),
	}}
	for _, m := range rankOrder(ms, p.Order, p.Limit) {
		low := "未评 not judged"
		switch {
		case m.LowEfficiency == nil:
		case *m.LowEfficiency:
			low = "是 yes"
		default:
			low = "否 no"
		}
		t.Rows = append(t.Rows, []any{m.USCC, m.Name, m.Xzqdm, m.Source, roundp(m.LandMu, 4), m.LandSource, round(m.TaxWan, 2), roundp(m.VaWan, 2),
			roundp(m.TaxPerMu, 4), roundp(m.VaPerMu, 4), m.Threshold, low, roundp(m.PreviewScore, 2), m.PreviewClass, officialClass(official, m.USCC), rankCell(m.TaxRank)})
		t.Geometry = append(t.Geometry, held[m.USCC]) // the parcels it held at the end of the year
	}
	return t, nil
}

// money writes an amount in 万元 for a text cell; a stored value that is not a finite
// number (legacy data, a NaN price) is said to be so rather than written as NaN.
func money(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "非有限数值 not a finite number"
	}
	return fmt.Sprintf("%.2f", v)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func round(v float64, d int) float64 {
	p := math.Pow10(d)
	return math.Round(v*p) / p
}

func roundp(v *float64, d int) *float64 {
	if v == nil {
		return nil
	}
	r := round(*v, d)
	return &r
}
