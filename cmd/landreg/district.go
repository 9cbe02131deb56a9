package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// `landreg district add|set|list|show`: the county's districts (县级行政区), as
// POST/PATCH/GET /v1/districts do over HTTP. Each change is a version with its document.

// districtFlags are the settings a command may write; only flags given are written.
type districtFlags struct {
	name, ruleStart, ruleEnd, compRatio, minorEdit string
	levelForLevel, includeLogistics                bool
	docNo, effective, reason, actor                string
	boundary, layer, crs, encoding                 string
	asJSON                                         bool
}

func (f *districtFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "name of the district, e.g. 苍南县 (add: default the boundary file's name field)")
	fl.StringVar(&f.boundary, "boundary", "", "boundary file: .shp (or a .zip of one), .gpkg or .geojson, in any supported CRS")
	fl.StringVar(&f.layer, "layer", "", "layer of the boundary file (needed when it has several)")
	fl.StringVar(&f.crs, "crs", "", "CRS of the boundary file, overriding what it says (e.g. EPSG:4549)")
	fl.StringVar(&f.encoding, "encoding", "", "encoding of a Shapefile .dbf without .cpg (e.g. GBK)")
	fl.StringVar(&f.ruleStart, "rule-start", "", "start of the 总量只增不减 rule window (YYYY-MM-DD; empty clears)")
	fl.StringVar(&f.ruleEnd, "rule-end", "", "end of the rule window (YYYY-MM-DD; empty clears)")
	fl.StringVar(&f.compRatio, "comp-ratio", "", "compensation ratio k of 改一补一, 1–10 (default 1)")
	fl.BoolVar(&f.levelForLevel, "level-for-level", true, "一级 removals must be compensated by 一级")
	fl.StringVar(&f.minorEdit, "minor-edit-m2", "", "removal allowed to direct edits without an adjustment, m² per year (0–10000, default 1)")
	fl.BoolVar(&f.includeLogistics, "include-logistics", false, "logistics and warehouse land counts as industrial inside block lines")
	fl.StringVar(&f.docNo, "doc-no", "", "document number (文号) of this change (required)")
	fl.StringVar(&f.effective, "effective-date", "", "legal date the change takes effect (YYYY-MM-DD; default today; add: the delineation or rule start)")
	fl.StringVar(&f.reason, "reason", "", "why (recorded in history and audit)")
	fl.StringVar(&f.actor, "actor", envOr("LANDREG_ACTOR", "cli:"+envOr("USER", "unknown")), "who makes the change (recorded as actor; env LANDREG_ACTOR)")
	fl.BoolVar(&f.asJSON, "json", false, "print the district as JSON")
}

// props are the settings whose flags were given; an empty text flag clears its setting.
func (f *districtFlags) props(cmd *cobra.Command) map[string]*string {
	out := map[string]*string{}
	text := func(flag, col, v string) {
		if cmd.Flags().Changed(flag) {
			if v == "" {
				out[col] = nil
			} else {
				out[col] = &v
			}
		}
	}
	text("name", "name", f.name)
	text("rule-start", "rule_start", f.ruleStart)
	text("rule-end", "rule_end", f.ruleEnd)
	text("comp-ratio", "comp_ratio", f.compRatio)
	text("minor-edit-m2", "minor_edit_m2", f.minorEdit)
	text("doc-no", "doc_no", f.docNo)
	text("level-for-level", "level_for_level", strconv.FormatBool(f.levelForLevel))
	text("include-logistics", "include_logistics", strconv.FormatBool(f.includeLogistics))
	return out
}

// validate checks the record the change would leave (cur: the current settings).
func validateDistrict(xzqdm string, cur, props map[string]*string) error {
	rec := landreg.MergeRecord(cur, props)
	rec["xzqdm"] = xzqdm
	if errs := landreg.ValidateDistrict(rec); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

func (f *districtFlags) change() (store.Change, error) {
	ch := store.Change{Actor: f.actor, Reason: f.reason}
	if f.effective != "" {
		d, err := time.Parse(time.DateOnly, f.effective)
		if err != nil {
			return ch, fmt.Errorf("--effective-date must be YYYY-MM-DD: %q", f.effective)
		}
		if d.After(landreg.Today()) {
			return ch, fmt.Errorf("--effective-date %s is after today: a district's settings rule from the moment they are written", f.effective)
		}
		ch.Effective = d
	}
	return ch, nil
}

// readBoundary reads --boundary for district xzqdm.
func (f *districtFlags) readBoundary(ctx context.Context, db store.DB, xzqdm string) (*exchange.Boundary, error) {
	if f.boundary == "" {
		return nil, nil
	}
	if _, err := os.Stat(f.boundary); err != nil {
		return nil, err
	}
	return exchange.ReadBoundary(ctx, db, exchange.BoundaryOptions{Path: f.boundary, Layer: f.layer, CRS: f.crs,
		Encoding: f.encoding, Xzqdm: xzqdm})
}

func districtCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "district", Short: "Districts (县级行政区): register, change, list, show; every change a version with its document"}

	var adb dbFlags
	var af districtFlags
	add := &cobra.Command{
		Use:   "add CODE --boundary FILE --doc-no 文号 [--name NAME] [settings]",
		Short: "Register a district (行政区划代码 CODE) with its boundary from a file",
		Long: `Register a county-level district: CODE is its GB/T 2260 code (e.g. 330327), FILE its
boundary as a Shapefile (GBK .dbf, .cpg honoured; or --encoding), GeoPackage or GeoJSON
in EPSG:4490, 4326 or a CGCS2000 Gauss-Krüger zone (from the .prj, or --crs). A file of
several districts is filtered by its code field (XZQDM, 行政区划代码 …); several features
of the district are dissolved. The Gauss-Krüger zone of its registered areas follows
from the boundary. The first version is in force from --effective-date, else from the
rule start, else today.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := args[0]
			if af.boundary == "" {
				return errors.New("--boundary FILE is required: the district's boundary")
			}
			ch, err := af.change()
			if err != nil {
				return err
			}
			props := af.props(cmd)
			return adb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				b, err := af.readBoundary(ctx, pool, code)
				if err != nil {
					return err
				}
				if _, ok := props["name"]; !ok && b.Name != "" {
					props["name"] = &b.Name
				}
				if err := validateDistrict(code, nil, props); err != nil {
					return err
				}
				if _, err := store.GetDistrict(ctx, pool, code, nil); err == nil {
					return fmt.Errorf("行政区 %s 已登记，请用 landreg district set / district %s is already registered: change it with landreg district set", code, code)
				}
				if err := store.CreateDistrict(ctx, pool, ch, code, store.DistrictWrite{Props: props, Geom: b.Geom}); err != nil {
					return told(err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "boundary: %d feature(s) of layer %s, %s (from %s)\n", b.Features, b.Layer, b.SourceCRS, b.CRSFrom)
				return showDistrict(ctx, cmd.OutOrStdout(), pool, code, nil, false, af.asJSON)
			})
		},
	}
	af.register(add)
	adb.register(add)

	var sdb dbFlags
	var sf districtFlags
	set := &cobra.Command{
		Use:   "set CODE --doc-no 文号 [settings] [--boundary FILE]",
		Short: "Change a district's settings or boundary: a new version in force from --effective-date (default today)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := args[0]
			if strings.TrimSpace(sf.docNo) == "" {
				return errors.New("--doc-no is required: every change of a district needs its document number (文号)")
			}
			ch, err := sf.change()
			if err != nil {
				return err
			}
			props := sf.props(cmd)
			if len(props) == 1 && sf.boundary == "" {
				return errors.New("nothing to change: give a setting or --boundary besides --doc-no")
			}
			return sdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				cur, err := store.GetDistrict(ctx, pool, code, nil)
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("行政区 %s 不存在 / unknown district %s (landreg district add)", code, code)
				}
				if err != nil {
					return err
				}
				if !ch.Effective.IsZero() && ch.Effective.Format(time.DateOnly) < cur.ValidFrom {
					return fmt.Errorf("--effective-date %s is before the current version took effect (%s)", sf.effective, cur.ValidFrom)
				}
				curProps, err := store.DistrictProps(ctx, pool, code)
				if err != nil {
					return err
				}
				if err := validateDistrict(code, curProps, props); err != nil {
					return err
				}
				var g *geo.Polygonal
				if b, err := sf.readBoundary(ctx, pool, code); err != nil {
					return err
				} else if b != nil {
					g = b.Geom
				}
				if err := store.UpdateDistrict(ctx, pool, ch, code, store.DistrictWrite{Props: props, Geom: g}); err != nil {
					return told(err)
				}
				return showDistrict(ctx, cmd.OutOrStdout(), pool, code, nil, false, sf.asJSON)
			})
		},
	}
	sf.register(set)
	sdb.register(set)

	var ldb dbFlags
	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the districts (current versions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ldb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				ds, err := store.ListDistricts(ctx, pool)
				if err != nil {
					return err
				}
				if listJSON {
					return printJSON(cmd.OutOrStdout(), ds)
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "XZQDM\tNAME\tGK\tRULE WINDOW\tK\tVERSION\tVALID FROM\tDOC")
				for _, d := range ds {
					fmt.Fprintf(w, "%s\t%s\tEPSG:%d\t%s – %s\t%g\t%d\t%s\t%s\n", d.Xzqdm, d.Name, d.GKSRID, orDash(d.RuleStart), orDash(d.RuleEnd),
						d.CompRatio, d.Version, d.ValidFrom, orDash(d.DocNo))
				}
				return w.Flush()
			})
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print as JSON")
	ldb.register(list)

	var wdb dbFlags
	var date string
	var history, showJSON bool
	show := &cobra.Command{
		Use:   "show CODE [--date D] [--history]",
		Short: "Show a district: the current version, the one in force on --date, or every version",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var asOf *time.Time
			if date != "" {
				d, err := time.Parse(time.DateOnly, date)
				if err != nil {
					return fmt.Errorf("--date must be YYYY-MM-DD: %q", date)
				}
				asOf = &d
			}
			return wdb.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				return showDistrict(ctx, cmd.OutOrStdout(), pool, args[0], asOf, history, showJSON)
			})
		},
	}
	show.Flags().StringVar(&date, "date", "", "the version in force on this legal date (YYYY-MM-DD)")
	show.Flags().BoolVar(&history, "history", false, "every version, oldest first")
	show.Flags().BoolVar(&showJSON, "json", false, "print as JSON")
	wdb.register(show)

	cmd.AddCommand(add, set, list, show, districtPolicyCmd())
	return cmd
}

// told makes a refusal by the database one bilingual line.
func told(err error) error {
	if e := store.Translate(err); e != nil && e.Kind != landreg.KindUnavailable {
		return errors.New(e.Error())
	}
	return err
}

func showDistrict(ctx context.Context, w io.Writer, db store.DB, code string, asOf *time.Time, history, asJSON bool) error {
	var ds []store.District
	if history {
		var err error
		if ds, err = store.DistrictVersions(ctx, db, code); err != nil {
			return err
		}
		if len(ds) == 0 {
			return fmt.Errorf("行政区 %s 不存在 / unknown district %s", code, code)
		}
	} else {
		d, err := store.GetDistrict(ctx, db, code, asOf)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("行政区 %s 不存在或在该日期没有版本 / district %s does not exist (on that date)", code, code)
		}
		if err != nil {
			return err
		}
		ds = []store.District{*d}
	}
	if asJSON {
		if history {
			return printJSON(w, ds)
		}
		return printJSON(w, ds[0])
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, d := range ds {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "行政区 district\t%s %s\n", d.Xzqdm, d.Name)
		fmt.Fprintf(tw, "版本 version\t%d, %s – %s%s\n", d.Version, d.ValidFrom, orDash(d.ValidTo), map[bool]string{true: " (retired)"}[d.Retired])
		fmt.Fprintf(tw, "文号 document\t%s\n", orDash(d.DocNo))
		fmt.Fprintf(tw, "规则期限 rule window\t%s – %s\n", orDash(d.RuleStart), orDash(d.RuleEnd))
		fmt.Fprintf(tw, "补划比例 comp. ratio\t%g\n", d.CompRatio)
		fmt.Fprintf(tw, "级别对应 level for level\t%t\n", d.LevelForLevel)
		fmt.Fprintf(tw, "微小调整 minor edit\t%g m²\n", d.MinorEditM2)
		fmt.Fprintf(tw, "含物流仓储 logistics\t%t\n", d.IncludeLogistics)
		fmt.Fprintf(tw, "高斯-克吕格 GK zone\tEPSG:%d\n", d.GKSRID)
		fmt.Fprintf(tw, "面积 area\t%.2f m² (%.4f 亩, %.4f 公顷)\n", d.AreaM2, landreg.Mu(d.AreaM2), landreg.Ha(d.AreaM2))
		if d.BaselineAreaM2 != nil {
			fmt.Fprintf(tw, "基数 baseline\t%.2f m² (%s, %s)\n", *d.BaselineAreaM2, orDash(d.BaselineDoc), orDash(d.BaselineDate))
		}
		fmt.Fprintf(tw, "记录 recorded\t%s by %s\n", d.SysFrom.Format(time.RFC3339), orDash(d.CreatedBy))
	}
	return tw.Flush()
}

func orDash(s *string) string {
	if s == nil || *s == "" {
		return "—"
	}
	return *s
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
