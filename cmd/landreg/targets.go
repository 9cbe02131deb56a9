package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// `landreg target …`, `landreg transfer …` and `landreg remediation …` (issue 15): the
// same writes as /v1/targets, /v1/transfers and /v1/remediation, in the registry's
// change context (actor, reason, legal date), refusals as one bilingual line.

// changeFlags are the change context of a command.
type changeFlags struct{ actor, reason, effective string }

func (f *changeFlags) register(cmd *cobra.Command, dateFlag, dateHelp string) {
	fl := cmd.Flags()
	fl.StringVar(&f.reason, "reason", "", "why (recorded in history and audit)")
	fl.StringVar(&f.actor, "actor", envOr("LANDREG_ACTOR", "cli:"+envOr("USER", "unknown")), "who makes the change (recorded as actor; env LANDREG_ACTOR)")
	if dateFlag != "" {
		fl.StringVar(&f.effective, dateFlag, "", dateHelp)
	}
}

func (f *changeFlags) change() (store.Change, error) {
	ch := store.Change{Actor: f.actor, Reason: f.reason}
	if f.effective != "" {
		d, err := time.Parse(time.DateOnly, f.effective)
		if err != nil {
			return ch, fmt.Errorf("date %q: want YYYY-MM-DD", f.effective)
		}
		ch.Effective = d
	}
	return ch, nil
}

// fieldFlags maps flags to columns; fields gives the columns of the flags given (an
// empty text clears the column).
type fieldFlags struct {
	cols map[string]string // flag → column
	vals map[string]*string
}

func newFieldFlags(cmd *cobra.Command, spec [][3]string) *fieldFlags {
	f := &fieldFlags{cols: map[string]string{}, vals: map[string]*string{}}
	for _, s := range spec {
		v := new(string)
		cmd.Flags().StringVar(v, s[0], "", s[2])
		f.cols[s[0]], f.vals[s[0]] = s[1], v
	}
	return f
}

func (f *fieldFlags) fields(cmd *cobra.Command) map[string]*string {
	out := map[string]*string{}
	for flag, col := range f.cols {
		if cmd.Flags().Changed(flag) {
			if v := *f.vals[flag]; v == "" {
				out[col] = nil
			} else {
				out[col] = &v
			}
		}
	}
	return out
}

func argID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("id %q: want a positive integer", s)
	}
	return id, nil
}

var targetFlagSpec = [][3]string{
	{"district", "xzqdm", "行政区划代码 of the district (omit for a city target)"},
	{"kind", "kind", "supply_mu | industrial_share_of_transfers | standard_land_share | freed_mu | cleared_mu | firms_cleared | blocks_renewed | tax_per_mu_wan | va_per_mu_wan"},
	{"value", "value", "target value in the kind's unit (亩, a share 0–1, 家, 个, 万元/亩)"},
	{"unit", "unit", "unit (default the kind's)"},
	{"from", "period_from", "first day of the period (YYYY-MM-DD)"},
	{"to", "period_to", "last day of the period (YYYY-MM-DD)"},
	{"supply-method", "supply_method", "supply targets: only 招拍挂, 协议 or 划拨"},
	{"above-size-only", "above_size_only", "亩均 targets: true for 规上 firms only"},
	{"doc-no", "doc_no", "document (文号) that sets the target"},
	{"note", "note", "note"},
}

func targetCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "target", Short: "Assessment targets (考核目标) and their progress, as /v1/targets"}

	var adb dbFlags
	var ach changeFlags
	add := &cobra.Command{
		Use:   "add --kind KIND --value V --from DATE --to DATE [--district CODE] [--doc-no 文号]",
		Short: "Register a target",
		Args:  cobra.NoArgs,
	}
	af := newFieldFlags(add, targetFlagSpec)
	ach.register(add, "effective-date", "legal date the target is in force from (default today)")
	adb.register(add)
	add.RunE = func(cmd *cobra.Command, _ []string) error {
		fields := af.fields(cmd)
		for _, k := range []string{"kind", "value", "period_from", "period_to"} {
			if fields[k] == nil {
				return fmt.Errorf("missing --%s", map[string]string{"kind": "kind", "value": "value", "period_from": "from", "period_to": "to"}[k])
			}
		}
		ch, err := ach.change()
		if err != nil {
			return err
		}
		return adb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
			id, err := store.CreateTarget(ctx, pool, ch, fields)
			if err != nil {
				return told(err)
			}
			t, err := store.GetTarget(ctx, pool, id)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), t)
		})
	}

	var sdb dbFlags
	var sch changeFlags
	set := &cobra.Command{Use: "set ID [fields]", Short: "Change a target (a new version; history keeps the old)", Args: cobra.ExactArgs(1)}
	sf := newFieldFlags(set, targetFlagSpec)
	sch.register(set, "effective-date", "legal date of the change (default today)")
	sdb.register(set)
	set.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := argID(args[0])
		if err != nil {
			return err
		}
		fields := sf.fields(cmd)
		if len(fields) == 0 {
			return errors.New("nothing to change: give a field flag")
		}
		ch, err := sch.change()
		if err != nil {
			return err
		}
		return sdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
			if err := store.UpdateTarget(ctx, pool, ch, id, fields); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("考核目标 %d 不存在 / no target %d", id, id)
			} else if err != nil {
				return told(err)
			}
			t, err := store.GetTarget(ctx, pool, id)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), t)
		})
	}

	var ldb dbFlags
	var district string
	list := &cobra.Command{
		Use: "list [--district CODE|city]", Short: "List the current targets", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ldb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				ts, err := store.ListTargets(ctx, pool, district)
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), ts)
			})
		},
	}
	list.Flags().StringVar(&district, "district", "", "行政区划代码, or city for the city's own targets")
	ldb.register(list)

	var wdb dbFlags
	show := &cobra.Command{
		Use: "show ID", Short: "Show a target with every version", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := argID(args[0])
			if err != nil {
				return err
			}
			return wdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				t, err := store.GetTarget(ctx, pool, id)
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("考核目标 %d 不存在 / no target %d", id, id)
				} else if err != nil {
					return err
				}
				h, err := store.TargetHistory(ctx, pool, id)
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), map[string]any{"target": t, "versions": h})
			})
		},
	}
	wdb.register(show)

	var pdb dbFlags
	var date, knownAt, pdistrict string
	progress := &cobra.Command{
		Use: "progress [--date D] [--known-at T]", Short: "Every target with its actual as of a date (as GET /v1/targets/progress)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := civilDate(date, time.Now())
			if err != nil {
				return err
			}
			k, err := knownAtFlag(knownAt)
			if err != nil {
				return err
			}
			return pdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				ps, err := store.TargetProgress(ctx, pool, d, k, pdistrict)
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), ps)
			})
		},
	}
	progress.Flags().StringVar(&date, "date", "", "as of this date (YYYY-MM-DD; default today)")
	progress.Flags().StringVar(&knownAt, "known-at", "", "as known at this time (RFC 3339, or a date: the end of that day)")
	progress.Flags().StringVar(&pdistrict, "district", "", "行政区划代码, or city")
	pdb.register(progress)

	cmd.AddCommand(add, set, list, show, progress)
	return cmd
}

// knownAtFlag reads --known-at as the API reads known_at.
func knownAtFlag(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if k, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return &k, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fmt.Errorf("--known-at %q: want an RFC 3339 time or YYYY-MM-DD", s)
	}
	y, m, dd := d.Date()
	k := time.Date(y, m, dd+1, 0, 0, 0, 0, landreg.Shanghai).Add(-time.Microsecond)
	return &k, nil
}

func transferCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "transfer", Short: "Land transferred (出让) per district and year, the bureau's figure, as /v1/transfers"}
	var sdb dbFlags
	var sch changeFlags
	var docNo, note string
	set := &cobra.Command{
		Use: "set CODE YEAR MU [--doc-no 文号]", Short: "Write a district's total land transferred in a year (亩)", Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			year, err := strconv.Atoi(args[1])
			if err != nil {
				return fmt.Errorf("year %q: want a year", args[1])
			}
			ch, err := sch.change()
			if err != nil {
				return err
			}
			var dp, np *string
			if docNo != "" {
				dp = &docNo
			}
			if note != "" {
				np = &note
			}
			return sdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				if err := store.SetTransfer(ctx, pool, ch, args[0], year, args[2], dp, np); err != nil {
					return told(err)
				}
				ts, err := store.ListTransfers(ctx, pool, args[0])
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), ts)
			})
		},
	}
	set.Flags().StringVar(&docNo, "doc-no", "", "document (文号) the figure comes from")
	set.Flags().StringVar(&note, "note", "", "note")
	sch.register(set, "", "")
	sdb.register(set)
	var ldb dbFlags
	var district string
	list := &cobra.Command{
		Use: "list [--district CODE]", Short: "List the figures", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ldb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				ts, err := store.ListTransfers(ctx, pool, district)
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), ts)
			})
		},
	}
	list.Flags().StringVar(&district, "district", "", "行政区划代码")
	ldb.register(list)
	cmd.AddCommand(set, list)
	return cmd
}

var projectFlagSpec = [][3]string{
	{"district", "xzqdm", "行政区划代码 of the project"},
	{"town", "town", "乡镇/街道 responsible (责任单位)"},
	{"name", "name", "project name"},
	{"method", "method", "兼并重组 | 整体腾退 | 搬迁入园 | 改造提升 | 收储 | 提容增效 | 关停退出"},
	{"planned-mu", "planned_mu", "planned area (亩)"},
	{"from", "planned_from", "planned start (YYYY-MM-DD)"},
	{"to", "planned_to", "planned end (YYYY-MM-DD)"},
	{"plan", "plan_text", "一企一策: the project's plan"},
	{"block-renewal", "block_renewal", "true when the project renews a whole low-efficiency block"},
}

func remediationCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "remediation", Short: "Remediation projects of low-efficiency land (低效用地整治), as /v1/remediation"}
	show := func(ctx context.Context, w io.Writer, pool *pgxpool.Pool, id int64) error {
		p, err := store.GetProject(ctx, pool, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("整治项目 %d 不存在 / no remediation project %d", id, id)
		} else if err != nil {
			return err
		}
		return printJSON(w, p)
	}

	var adb dbFlags
	var ach changeFlags
	var parcels []int64
	var firms, docs []string
	add := &cobra.Command{Use: "add --district CODE --town 街道 --name N --method M --planned-mu MU --from D --to D", Short: "List a project (列入清单)", Args: cobra.NoArgs}
	af := newFieldFlags(add, projectFlagSpec)
	add.Flags().Int64SliceVar(&parcels, "parcel", nil, "parcel id (repeat)")
	add.Flags().StringSliceVar(&firms, "enterprise", nil, "USCC of a firm (repeat)")
	add.Flags().StringArrayVar(&docs, "doc", nil, "a document of the project (repeat)")
	ach.register(add, "date", "legal date of the listing (default today)")
	adb.register(add)
	add.RunE = func(cmd *cobra.Command, _ []string) error {
		fields := af.fields(cmd)
		if len(docs) > 0 {
			a := "{" + strings.Join(quoteAll(docs), ",") + "}"
			fields["documents"] = &a
		}
		ch, err := ach.change()
		if err != nil {
			return err
		}
		return adb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
			id, err := store.CreateProject(ctx, pool, ch, fields, parcels, firms)
			if err != nil {
				return told(err)
			}
			return show(ctx, cmd.OutOrStdout(), pool, id)
		})
	}

	var sdb dbFlags
	var sch changeFlags
	set := &cobra.Command{Use: "set ID [fields]", Short: "Change a project's fields (not its status)", Args: cobra.ExactArgs(1)}
	sf := newFieldFlags(set, projectFlagSpec)
	sch.register(set, "effective-date", "legal date of the change (default today)")
	sdb.register(set)
	set.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := argID(args[0])
		if err != nil {
			return err
		}
		ch, err := sch.change()
		if err != nil {
			return err
		}
		return sdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
			if err := store.UpdateProject(ctx, pool, ch, id, sf.fields(cmd)); err != nil && !errors.Is(err, store.ErrNotFound) {
				return told(err)
			}
			return show(ctx, cmd.OutOrStdout(), pool, id)
		})
	}

	var tdb dbFlags
	var tch changeFlags
	status := &cobra.Command{
		Use:   "status ID STATUS --date D [--freed-mu MU] [--new-holder USCC] [--new-project P] [--new-tax-per-mu W]",
		Short: "Move a project one step: 制定方案, 整治中, then 达标销号 or 关停退出 (with its result)",
		Args:  cobra.ExactArgs(2),
	}
	rf := newFieldFlags(status, [][3]string{
		{"freed-mu", "freed_mu", "closing: 亩 freed (腾出/盘活), may be 0"},
		{"new-holder", "new_holder_uscc", "closing: USCC of the new holder"},
		{"new-project", "new_project", "closing: the new project on the land"},
		{"new-tax-per-mu", "new_tax_per_mu_wan", "closing: the new 亩均税收 (万元/亩)"},
	})
	tch.register(status, "date", "legal date of the step (required)")
	tdb.register(status)
	status.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := argID(args[0])
		if err != nil {
			return err
		}
		if tch.effective == "" {
			return errors.New("--date is required: the legal date of the step")
		}
		ch, err := tch.change()
		if err != nil {
			return err
		}
		return tdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
			if err := store.SetProjectStatus(ctx, pool, ch, id, args[1], rf.fields(cmd)); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("整治项目 %d 不存在 / no remediation project %d", id, id)
			} else if err != nil {
				return told(err)
			}
			return show(ctx, cmd.OutOrStdout(), pool, id)
		})
	}

	var edb dbFlags
	var ech changeFlags
	var edate, enote, edoc string
	event := &cobra.Command{
		Use: "event ID --date D --note TEXT [--doc-no 文号]", Short: "Record a dated note of progress", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := argID(args[0])
			if err != nil {
				return err
			}
			d, err := time.Parse(time.DateOnly, edate)
			if err != nil {
				return fmt.Errorf("--date %q: want YYYY-MM-DD", edate)
			}
			ch, err := ech.change()
			if err != nil {
				return err
			}
			var dp *string
			if edoc != "" {
				dp = &edoc
			}
			return edb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				if _, err := store.AddProgress(ctx, pool, ch, id, d, enote, dp); err != nil {
					return told(err)
				}
				return show(ctx, cmd.OutOrStdout(), pool, id)
			})
		},
	}
	event.Flags().StringVar(&edate, "date", "", "date of the progress (YYYY-MM-DD)")
	event.Flags().StringVar(&enote, "note", "", "what happened")
	event.Flags().StringVar(&edoc, "doc-no", "", "document (文号)")
	ech.register(event, "", "")
	edb.register(event)

	linkCmd := func(use string, remove bool) *cobra.Command {
		var db dbFlags
		var ch changeFlags
		var ps []int64
		var us []string
		c := &cobra.Command{
			Use: use + " ID [--parcel ID]… [--enterprise USCC]…", Short: use + " parcels and firms", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := argID(args[0])
				if err != nil {
					return err
				}
				c, err := ch.change()
				if err != nil {
					return err
				}
				return db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
					if remove {
						err = store.UnlinkProject(ctx, pool, c, id, ps, us)
					} else {
						err = store.LinkProject(ctx, pool, c, id, ps, us)
					}
					if err != nil {
						return told(err)
					}
					return show(ctx, cmd.OutOrStdout(), pool, id)
				})
			},
		}
		c.Flags().Int64SliceVar(&ps, "parcel", nil, "parcel id (repeat)")
		c.Flags().StringSliceVar(&us, "enterprise", nil, "USCC (repeat)")
		ch.register(c, "", "")
		db.register(c)
		return c
	}

	var wdb dbFlags
	showCmd := &cobra.Command{
		Use: "show ID", Short: "Show a project with its parcels, firms, events and versions", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := argID(args[0])
			if err != nil {
				return err
			}
			return wdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error { return show(ctx, cmd.OutOrStdout(), pool, id) })
		},
	}
	wdb.register(showCmd)

	var ldb dbFlags
	var q store.ProjectQuery
	list := &cobra.Command{
		Use: "list [--district CODE] [--status S]", Short: "List the current projects", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ldb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				ps, err := store.ListProjects(ctx, pool, q)
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), ps)
			})
		},
	}
	list.Flags().StringVar(&q.Xzqdm, "district", "", "行政区划代码")
	list.Flags().StringVar(&q.Status, "status", "", "列入清单 | 制定方案 | 整治中 | 达标销号 | 关停退出")
	ldb.register(list)

	var cdb dbFlags
	var year int
	var cdistrict string
	cands := &cobra.Command{
		Use: "candidates [--year Y] [--district CODE]", Short: "整治企业清单: 低效 or class-D firms, each with its project or 未列项目", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				y := year
				if y == 0 {
					var err error
					if y, err = store.LatestEvaluatedYear(ctx, pool); err != nil {
						return err
					}
				}
				list := []store.Candidate{}
				if y != 0 {
					var err error
					if list, err = store.Candidates(ctx, pool, y, cdistrict); err != nil {
						return err
					}
				}
				return printJSON(cmd.OutOrStdout(), map[string]any{"year": y, "candidates": list})
			})
		},
	}
	cands.Flags().IntVar(&year, "year", 0, "evaluated year (default the latest on file)")
	cands.Flags().StringVar(&cdistrict, "district", "", "行政区划代码")
	cdb.register(cands)

	cmd.AddCommand(add, set, status, event, linkCmd("link", false), linkCmd("unlink", true), showCmd, list, cands)
	return cmd
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	}
	return out
}

// `landreg mujun-classes import FILE | list`: the official 亩均 classes (issue 15.5).
func mujunClassesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "mujun-classes", Short: "Official 亩均 classes (亩均效益综合评价结果, A–D), as /v1/mujun/classes"}
	var idb dbFlags
	var ich changeFlags
	var opt exchange.ClassOptions
	imp := &cobra.Command{
		Use:   "import FILE [--year Y] [--published-on D] [--doc-no 文号] [--dry-run]",
		Short: "Import the published evaluation (one row per enterprise: 统一社会信用代码, 评价类别, 得分, 公布日期); all or nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ch, err := ich.change()
			if err != nil {
				return err
			}
			opt.Path, opt.Change = args[0], ch
			return idb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				rep, err := exchange.ImportClasses(ctx, pool, opt)
				if err != nil {
					return err
				}
				if err := printJSON(cmd.OutOrStdout(), rep); err != nil {
					return err
				}
				if len(rep.Problems) > 0 {
					p := rep.Problems[0]
					return fmt.Errorf("%d row(s) refused, nothing written; first: row %d %s: %s", len(rep.Problems), p.Index+1, p.Field, p.Message)
				}
				return nil
			})
		},
	}
	f := imp.Flags()
	f.IntVar(&opt.Year, "year", 0, "the evaluated year (for rows without a 年度 column)")
	f.StringVar(&opt.PublishedOn, "published-on", "", "publication date (YYYY-MM-DD) for rows without one")
	f.StringVar(&opt.DocNo, "doc-no", "", "document (文号) of the publication")
	f.StringVar(&opt.Layer, "layer", "", "sheet or layer of the file")
	f.StringVar(&opt.Encoding, "encoding", "", "encoding of the file when it does not say (e.g. GBK)")
	f.BoolVar(&opt.DryRun, "dry-run", false, "check the file and report, write nothing")
	ich.register(imp, "", "")
	idb.register(imp)

	var ldb dbFlags
	var year int
	list := &cobra.Command{
		Use: "list [--year Y]", Short: "List the official classes", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ldb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				rs, err := store.MujunResults(ctx, pool, year)
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), rs)
			})
		},
	}
	list.Flags().IntVar(&year, "year", 0, "the year (default every year)")
	ldb.register(list)
	cmd.AddCommand(imp, list)
	return cmd
}
