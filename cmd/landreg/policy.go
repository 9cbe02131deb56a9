package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// `landreg district policy CODE`: a district's idle policy (闲置/低效认定参数), as
// GET/PUT /v1/districts/{code}/idle-policy do over HTTP. Without --set it shows the
// version in force (today or on --date) and every version; with --set it writes a
// version in force from --effective-date, with its --doc-no, merged onto the version in
// force on that date.
func districtPolicyCmd() *cobra.Command {
	var db dbFlags
	var sets []string
	var docNo, effective, date, reason, actor string
	var history, asJSON bool
	cmd := &cobra.Command{
		Use:   "policy CODE [--set field=value ...] --doc-no 文号 --effective-date D",
		Short: "Show or change a district's idle policy (闲置认定参数), each version in force from its effective date",
		Long: `Show a district's idle policy: the version in force today (or on --date) and every
version by effective date; --history adds the versions replaced and the audit trail.

With --set field=value (repeatable) write a version in force from --effective-date with
its document --doc-no (both required): the settings given are merged onto the version in
force on that date (or the defaults), and a version already taking effect on that date is
replaced (the old one stays in history). The status of a parcel as of a date is judged by
the version in force then, so a version never changes the statuses before its date.

Settings: ` + strings.Join(policySettingNames(), ", ") + `
(months and years ≥ 0, shares 0–1, thresholds > 0; an empty value clears far_floor and
far_floor_from, which go together).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := args[0]
			if len(sets) == 0 {
				if docNo != "" || effective != "" {
					return errors.New("--doc-no and --effective-date describe a change: give the settings with --set field=value")
				}
				d := landreg.Today()
				if date != "" {
					t, err := time.Parse(time.DateOnly, date)
					if err != nil {
						return fmt.Errorf("--date must be YYYY-MM-DD: %q", date)
					}
					d = t
				}
				return db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
					return showPolicy(ctx, cmd.OutOrStdout(), pool, code, d, history, asJSON)
				})
			}
			props := map[string]*string{}
			for _, s := range sets {
				k, v, ok := strings.Cut(s, "=")
				k = strings.TrimSpace(k)
				if _, known := landreg.PolicySettings[k]; !ok || !known {
					return fmt.Errorf("--set %q: want field=value with field one of %s", s, strings.Join(policySettingNames(), ", "))
				}
				v = strings.TrimSpace(v)
				if v == "" {
					props[k] = nil
					continue
				}
				if e := landreg.CheckPolicyValue(k, v); e != nil {
					return e
				}
				props[k] = &v
			}
			if strings.TrimSpace(docNo) == "" {
				return errors.New("--doc-no is required: every version of the idle policy needs its document number (文号)")
			}
			if effective == "" {
				return errors.New("--effective-date is required: the legal date from which the version is in force (YYYY-MM-DD)")
			}
			eff, err := time.Parse(time.DateOnly, effective)
			if err != nil || eff.Year() < 1900 || eff.Year() > 2199 {
				return fmt.Errorf("--effective-date must be a date YYYY-MM-DD in the years 1900–2199: %q", effective)
			}
			return db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				if _, err := store.GetDistrict(ctx, pool, code, nil); errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("行政区 %s 不存在 / unknown district %s (landreg district add)", code, code)
				} else if err != nil {
					return err
				}
				cur, err := store.PolicyProps(ctx, pool, code, eff)
				if err != nil {
					return err
				}
				rec := landreg.MergeRecord(cur, props)
				if errs := landreg.ValidatePolicy(rec); len(errs) > 0 {
					return errs[0]
				}
				merged := map[string]*string{}
				for k := range landreg.PolicySettings {
					if v, ok := rec[k]; ok {
						merged[k] = &v
					} else {
						merged[k] = nil
					}
				}
				ch := store.Change{Actor: actor, Reason: reason}
				if _, err := store.PutPolicy(ctx, pool, ch, code, store.PolicyWrite{Props: merged, DocNo: strings.TrimSpace(docNo), Effective: eff}); err != nil {
					return told(err)
				}
				return showPolicy(ctx, cmd.OutOrStdout(), pool, code, eff, false, asJSON)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&sets, "set", nil, "a setting of the new version, field=value (repeatable; empty value clears)")
	fl.StringVar(&docNo, "doc-no", "", "document number (文号) of the new version (required with --set)")
	fl.StringVar(&effective, "effective-date", "", "legal date from which the new version is in force (YYYY-MM-DD, required with --set)")
	fl.StringVar(&date, "date", "", "show the version in force on this legal date (YYYY-MM-DD; default today)")
	fl.BoolVar(&history, "history", false, "also every version ever written (replaced ones included) and the audit trail")
	fl.StringVar(&reason, "reason", "", "why (recorded in history and audit)")
	fl.StringVar(&actor, "actor", envOr("LANDREG_ACTOR", "cli:"+envOr("USER", "unknown")), "who makes the change (recorded as actor; env LANDREG_ACTOR)")
	fl.BoolVar(&asJSON, "json", false, "print as JSON")
	db.register(cmd)
	return cmd
}

func policySettingNames() []string {
	out := make([]string, 0, len(landreg.PolicySettings))
	for k := range landreg.PolicySettings {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func showPolicy(ctx context.Context, w io.Writer, db store.DB, code string, d time.Time, history, asJSON bool) error {
	if _, err := store.GetDistrict(ctx, db, code, nil); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("行政区 %s 不存在 / unknown district %s", code, code)
	} else if err != nil {
		return err
	}
	in, err := store.PolicyAt(ctx, db, code, d)
	if err != nil {
		return err
	}
	versions, err := store.PolicyVersions(ctx, db, code)
	if err != nil {
		return err
	}
	var h *store.PolicyHistory
	if history {
		if h, err = store.GetPolicyHistory(ctx, db, code); err != nil {
			return err
		}
	}
	if asJSON {
		out := map[string]any{"xzqdm": code, "date": d.Format(time.DateOnly), "policy": in, "versions": versions}
		if h != nil {
			out["history"] = h
		}
		return printJSON(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "行政区 district\t%s\n", code)
	fmt.Fprintf(tw, "日期 date\t%s\n", d.Format(time.DateOnly))
	if in.Default {
		fmt.Fprintf(tw, "在用版本 in force\t默认值 defaults (domain.md §8.1)%s\n", untilText(in.ValidTo))
	} else {
		fmt.Fprintf(tw, "在用版本 in force\tversion %d, %s%s, %s\n", in.Version, orDash(in.ValidFrom), untilText(in.ValidTo), orDash(in.DocNo))
	}
	rows := [][2]string{
		{"投产宽限期 production_grace_months", strconv.Itoa(in.ProductionGraceMonths)},
		{"停产认定 stopped_months", strconv.Itoa(in.StoppedMonths)},
		{"竣工宽限期 completion_grace_months", strconv.Itoa(in.CompletionGraceMonths)},
		{"达产期 rampup_years", strconv.Itoa(in.RampupYears)},
		{"未利用比例 unused_share", fmt.Sprint(in.UnusedShare)},
		{"未利用面积下限 unused_min_mu", fmt.Sprint(in.UnusedMinMu)},
		{"低效亩均税收 low_eff_tax_per_mu_wan", fmt.Sprint(in.LowEffTaxPerMuWan)},
		{"建筑系数下限 coverage_floor", fmt.Sprint(in.CoverageFloor)},
		{"容积率下限 far_floor", floatOrDash(in.FarFloor) + " from " + orDash(in.FarFloorFrom)},
		{"闲置费比例 idle_fee_share", fmt.Sprint(in.IdleFeeShare)},
		{"调查通知期限（日） notice_days", strconv.Itoa(in.NoticeDays)},
		{"认定期限（日） determination_days", strconv.Itoa(in.DeterminationDays)},
		{"处置决定期限（日） decision_days", strconv.Itoa(in.DecisionDays)},
		{"闲置费缴纳期限（日） fee_payment_days", strconv.Itoa(in.FeePaymentDays)},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
	}
	fmt.Fprintln(tw, "\nVERSION\tVALID FROM\tVALID TO\tDOC\tBY")
	for _, v := range versions {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", v.Version, orDash(v.ValidFrom), orDash(v.ValidTo), orDash(v.DocNo), orDash(v.CreatedBy))
	}
	if h != nil {
		fmt.Fprintln(tw, "\nHISTORY VERSION\tVALID FROM\tRECORDED\tREPLACED\tDOC")
		for _, v := range h.Versions {
			replaced := "—"
			if v.SysTo != nil {
				replaced = v.SysTo.Format(time.RFC3339)
				if v.Withdrawn {
					replaced += " (withdrawn)"
				}
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", v.Version, orDash(v.ValidFrom), v.SysFrom.Format(time.RFC3339), replaced, orDash(v.DocNo))
		}
		fmt.Fprintf(tw, "audit rows\t%d\n", len(h.Audit))
	}
	return tw.Flush()
}

func untilText(to *string) string {
	if to == nil {
		return ""
	}
	return " until " + *to
}

func floatOrDash(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprint(*f)
}
