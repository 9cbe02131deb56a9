package audit

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// The disposal ledger of issue 15.6 (闲置土地处置台账): each idle parcel's procedure as of a
// date, as known at a time, with the next step and how overdue it is.
func init() {
	Reports["disposals"] = Report{"disposals", "闲置土地处置台账 Idle-land disposal ledger", true, disposalLedger}
}

func disposalLedger(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	rows, err := store.DisposalLedger(ctx, pool, p.Date, p.KnownAt, p.District, p.Overdue)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("闲置土地处置台账（%s）", asOf(p))
	if p.Overdue {
		title = fmt.Sprintf("逾期未办的闲置土地处置（%s）", asOf(p))
	}
	t := &report.Table{Title: title, Columns: []report.Column{
		col("parcel_id", "宗地编号 Parcel id", report.Integer),
		col("zddm", "宗地代码 Parcel code", report.Text),
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("district", "行政区 District", report.Text),
		col("holder", "权利人 Holder", report.Text),
		col("holder_uscc", "统一社会信用代码 USCC", report.Text),
		col("category", "状态 Category", report.Text),
		col("category_zh", "状态名称 Category (zh)", report.Text),
		col("idle_from", "闲置起始 Idle from", report.Date),
		col("registered_mu", "登记面积（亩） Registered area (mu)", report.Number),
		col("idle_fee_wan", "应缴闲置费（万元） Idle fee due (10k CNY)", report.Number),
		col("step", "处置阶段 Step", report.Text),
		col("step_zh", "处置阶段名称 Step (zh)", report.Text),
		col("notice_date", "调查通知日期 Survey notice", report.Date),
		col("determined_date", "认定日期 Determination", report.Date),
		col("fee_levied_date", "征缴决定日期 Fee levied", report.Date),
		col("fee_levied_wan", "已征闲置费（万元） Fee levied (10k CNY)", report.Number),
		col("fee_paid_wan", "已缴闲置费（万元） Fee paid (10k CNY)", report.Number),
		col("fee_paid_date", "缴纳日期 Fee paid on", report.Date),
		col("decision", "处置决定 Decision", report.Text),
		col("decision_zh", "处置方式 Decision (zh)", report.Text),
		col("decision_date", "决定日期 Decision date", report.Date),
		col("next_step", "下一步 Next step", report.Text),
		col("next_step_zh", "下一步（中文） Next step (zh)", report.Text),
		col("period_from", "期限起算 Period from", report.Date),
		col("period_days", "期限（日） Period (days)", report.Integer),
		col("policy_version", "参数版本 Policy version", report.Integer),
		col("next_due", "应办结日期 Due by", report.Date),
		col("overdue_days", "逾期天数 Days overdue", report.Integer),
	}}
	for _, r := range rows {
		var days, version *int64
		if r.PeriodDays != nil {
			d := int64(*r.PeriodDays)
			days = &d
		}
		if r.PolicyVersion != nil {
			v := int64(*r.PolicyVersion)
			version = &v
		}
		t.Rows = append(t.Rows, []any{r.ParcelID, r.Zddm, r.Xzqdm, r.District, r.Holder, r.HolderUSCC, r.Category, r.CategoryZh,
			r.IdleFrom, roundp(r.RegisteredMu, 4), round(r.IdleFeeWan, 2), r.Step, r.StepZh, r.NoticeDate, r.DeterminedDate,
			r.FeeLeviedDate, round(r.FeeLeviedWan, 2), round(r.FeePaidWan, 2), r.FeePaidDate, r.Decision, r.DecisionZh,
			r.DecisionDate, r.NextStep, r.NextStepZh, r.PeriodFrom, days, version, r.NextDue, int64(r.OverdueDays)})
		t.Geometry = append(t.Geometry, r.Geometry)
	}
	return t, nil
}
