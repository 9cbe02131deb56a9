package main

import (
	"github.com/landreg/landreg"

	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/landreg/landreg/audit"
	"github.com/landreg/landreg/report"
)

func auditCmd() *cobra.Command {
	var db dbFlags
	var date, from, to, district, format, out, knownAt, order string
	var years, year, limit int
	var overdue bool
	var parcel int64
	cmd := &cobra.Command{
		Use:   "audit REPORT",
		Short: "Auditors' reports: " + strings.Join(audit.Names(), ", "),
		Long: `Produce an auditors' report, the same as GET /v1/audit/REPORT:

  idle          idle and inefficient land by district and category (counts, 亩, fees)
  idle-parcels  the idle-land ledger; --years N for parcels idle at least N years
  changes       parcels whose status changed between --from and --to
  quality       data-quality findings (area mismatches, overlaps, parcels outside lines …)
  dossier       one parcel's full history (--parcel ID)
  mujun         亩均 figures per enterprise for --year, with an unofficial preview class;
                --order tax_per_mu_desc|tax_per_mu_asc --limit N for the ranking
  mujun-districts  亩均 of each district for --year (its judged firms' tax over their land)
  targets       the targets sheet: each target against its actual (--date, --known-at)
  remediation   the remediation ledger: projects by status, 亩 planned and freed
  remediation-candidates  整治企业清单 for --year
  disposals     the idle-land disposal ledger: each procedure's steps, next step due by,
                days overdue (--overdue: only those overdue; --date, --known-at)

Example: landreg audit idle --date 2025-12-31 --district 330304 --format xlsx -o idle.xlsx`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, ok := audit.Reports[args[0]]
			if !ok {
				return fmt.Errorf("unknown report %q; reports: %s", args[0], strings.Join(audit.Names(), ", "))
			}
			if !slices.Contains(report.Formats, format) || (format == "geojson" && !r.Geo) {
				return fmt.Errorf("report %s cannot be written as %q", r.Name, format)
			}
			p := audit.Params{District: district, Years: years, Year: year, ParcelID: parcel, Order: order, Limit: limit, Overdue: overdue}
			if (order != "" || limit != 0) && r.Name != "mujun" {
				return fmt.Errorf("--order and --limit apply to the mujun report only")
			}
			if order != "" && order != audit.OrderTaxDesc && order != audit.OrderTaxAsc {
				return fmt.Errorf("--order must be %s or %s", audit.OrderTaxDesc, audit.OrderTaxAsc)
			}
			if limit < 0 {
				return fmt.Errorf("--limit must be 1 or more")
			}
			var err error
			if p.Date, err = civilDate(date, time.Now()); err != nil {
				return err
			}
			if p.To, err = civilDate(to, p.Date); err != nil {
				return err
			}
			if p.From, err = civilDate(from, p.To.AddDate(-1, 0, 0)); err != nil {
				return err
			}
			if p.KnownAt, err = knownAtFlag(knownAt); err != nil {
				return err
			}
			if p.Year == 0 {
				p.Year = p.Date.Year() - 1
			}
			if r.Name == "dossier" && parcel == 0 {
				return fmt.Errorf("the dossier needs --parcel ID")
			}
			var t *report.Table
			err = db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) (err error) {
				if err := audit.Resolve(ctx, pool, r, &p, year != 0); errors.Is(err, audit.ErrUnknownDistrict) {
					return fmt.Errorf("行政区 %s 不存在 / unknown district %q", district, district)
				} else if err != nil {
					return err
				}
				t, err = r.Run(ctx, pool, p)
				return err
			})
			if err != nil {
				return err
			}
			var w io.Writer = cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			if err := report.Write(w, t, format); err != nil {
				return err
			}
			if out != "" && out != "-" {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d rows → %s\n", t.Title, len(t.Rows), out)
			}
			return nil
		},
	}
	db.register(cmd)
	f := cmd.Flags()
	f.StringVar(&date, "date", "", "as of this date (YYYY-MM-DD; default today)")
	f.StringVar(&from, "from", "", "changes: start date (default a year before --to)")
	f.StringVar(&to, "to", "", "changes: end date (default --date)")
	f.StringVar(&knownAt, "known-at", "", "targets, remediation, disposals: as known at this time (RFC 3339, or a date: the end of that day)")
	f.StringVar(&district, "district", "", "行政区划代码, e.g. 330304 (default: every district)")
	f.IntVar(&years, "years", 0, "idle-parcels: idle at least this many years")
	f.IntVar(&year, "year", 0, "mujun: the year (default the latest year with figures on file)")
	f.Int64Var(&parcel, "parcel", 0, "dossier: the parcel id")
	f.StringVar(&order, "order", "", "mujun: rank order, "+audit.OrderTaxDesc+" (highest 亩均税收 first) or "+audit.OrderTaxAsc)
	f.IntVar(&limit, "limit", 0, "mujun: only the first N rows")
	f.BoolVar(&overdue, "overdue", false, "disposals: only procedures whose next step is overdue")
	f.StringVar(&format, "format", "json", "json | csv | xlsx | geojson")
	f.StringVarP(&out, "output", "o", "", "write to this file (default standard output)")
	return cmd
}

// civilDate parses YYYY-MM-DD, or gives def's civil date (Asia/Shanghai) when empty.
func civilDate(s string, def time.Time) (time.Time, error) {
	if s == "" {
		y, m, d := def.In(landreg.Shanghai).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return d, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return d, nil
}
