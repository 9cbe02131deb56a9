package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// The reports of issue 15: the targets sheet of the annual assessment and the
// remediation ledger, as of a date and as known at a time.
func init() {
	Reports["targets"] = Report{"targets", "考核目标完成情况 Targets against actuals", false, targetsSheet}
	Reports["remediation"] = Report{"remediation", "低效用地整治台账 Remediation ledger", false, remediationLedger}
	Reports["remediation-candidates"] = Report{"remediation-candidates", "整治企业清单 Firms to remediate", false, remediationCandidates}
}

// officialClass is an enterprise's official class of the year, or "" (none published).
func officialClass(m map[string]string, uscc string) string { return m[uscc] }

func asOf(p Params) string {
	s := p.Date.Format(time.DateOnly)
	if p.KnownAt != nil {
		s += "，截至 " + p.KnownAt.UTC().Format(time.RFC3339) + " 所知 / as known at " + p.KnownAt.UTC().Format(time.RFC3339)
	}
	return s
}

func targetsSheet(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	ps, err := store.TargetProgress(ctx, pool, p.Date, p.KnownAt, p.District)
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("考核目标完成情况（%s）", asOf(p)), Columns: []report.Column{
		col("id", "目标编号 Target", report.Integer),
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("district", "行政区 District", report.Text),
		col("kind", "目标类型 Kind", report.Text),
		col("kind_zh", "目标 Target (zh)", report.Text),
		col("unit", "单位 Unit", report.Text),
		col("period_from", "考核期起 Period from", report.Date),
		col("period_to", "考核期止 Period to", report.Date),
		col("doc_no", "文号 Document", report.Text),
		col("value", "目标值 Target", report.Number),
		col("actual", "完成值 Actual", report.Number),
		col("achieved_share", "完成率 Achieved", report.Number),
		col("expected", "按进度应完成 Due by now", report.Number),
		col("needed_per_year", "剩余期每年需完成 Needed per year", report.Number),
		col("status", "状态 Status", report.Text),
		col("status_zh", "状态（中文） Status (zh)", report.Text),
		col("basis", "口径 Basis", report.Text),
	}}
	for _, r := range ps {
		xz, name := "全市 city", "全市 city"
		if r.Xzqdm != nil {
			xz = *r.Xzqdm
			if r.DistrictName != nil {
				name = *r.DistrictName
			}
		}
		t.Rows = append(t.Rows, []any{r.ID, xz, name, r.Kind, r.KindZh, r.Unit, r.PeriodFrom, r.PeriodTo, r.DocNo,
			round(r.Value, 4), roundp(r.Actual, 4), roundp(r.AchievedShare, 4), round(r.Expected, 4), roundp(r.NeededPerYear, 4),
			r.Status, r.StatusZh, r.Basis})
	}
	return t, nil
}

func remediationLedger(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	rows, err := store.RemediationLedger(ctx, pool, p.Date, p.KnownAt, p.District)
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("低效用地整治台账（%s）", asOf(p)), Columns: []report.Column{
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("district", "行政区 District", report.Text),
		col("status", "整治状态 Status", report.Text),
		col("projects", "项目数 Projects", report.Integer),
		col("planned_mu", "计划整治面积（亩） Planned (mu)", report.Number),
		col("freed_mu", "腾出面积（亩） Freed (mu)", report.Number),
	}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []any{r.Xzqdm, r.District, r.Status, int64(r.Projects), round(r.PlannedMu, 4), round(r.FreedMu, 4)})
	}
	return t, nil
}

func remediationCandidates(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	list, err := store.Candidates(ctx, pool, p.Year, p.District)
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("%d 年整治企业清单 Firms to remediate %d", p.Year, p.Year), Columns: []report.Column{
		col("uscc", "统一社会信用代码 USCC", report.Text),
		col("name", "企业名称 Enterprise", report.Text),
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("land_mu", "用地面积（亩） Land (mu)", report.Number),
		col("tax_per_mu_wan", "亩均税收（万元/亩） Tax per mu", report.Number),
		col("low_efficiency", "低效企业 Low efficiency", report.Text),
		col("official_class", "评价类别（官方） Official class", report.Text),
		col("project_id", "整治项目 Project", report.Integer),
		col("project_name", "项目名称 Project name", report.Text),
		col("project_status", "项目状态 Project status", report.Text),
	}}
	for _, c := range list {
		low := "否 no"
		if c.LowEfficiency {
			low = "是 yes"
		}
		t.Rows = append(t.Rows, []any{c.USCC, c.Name, c.Xzqdm, roundp(c.LandMu, 4), roundp(c.TaxPerMu, 4), low, c.OfficialClass,
			c.ProjectID, c.ProjectName, c.ProjectStatus})
	}
	return t, nil
}
