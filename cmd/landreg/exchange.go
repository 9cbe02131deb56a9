package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// exchangeCmds are `landreg import` and `landreg export` (issue 6; docs/exchange.md).
func exchangeCmds() []*cobra.Command { return []*cobra.Command{importCmd(), exportCmd()} }

func importCmd() *cobra.Command {
	var db dbFlags
	var layer, crs, mappingFile, xzqdm, encoding, kind, effective, date, proposed, docNo, reason, actor string
	var dryRun, asJSON, createHolders, update bool
	cmd := &cobra.Command{
		Use:   "import parcels|block-lines|enterprises|events FILE",
		Short: "Import parcels or block lines (GeoJSON, GeoPackage, Shapefile), enterprises or parcel events (XLSX, CSV); all or nothing",
		Long: `Import reads FILE with GDAL (ogr2ogr), in EPSG:4490, 4326, 4549 or 4528 as the file says
(.prj, GeoPackage SRS, GeoJSON crs) or as --crs says, validates every feature in PostGIS
(geometry validity with reason, 宗地代码/不动产单元号/统一社会信用代码/land-use codes, district,
overlaps, outside its district), and loads it in one transaction only if nothing is wrong.

parcels      become new parcels (history and audit as any write; actor --actor). A holder
             (USCC) that is not a registered enterprise is an error of its feature
             unless --create-holders registers it under the file's holder name.
block-lines  become ONE draft adjustment (kind --kind, default 调整) whose additions are the
             file's polygons with their level (field 级别/level: 1 or 2); preview, publicise,
             approve and apply it under /v1/adjustments.
             With --kind 划定 (delineation) the file is the district's original lines:
             they are drawn as of --date (the baseline date, not after the rule start)
             and fix the district's baseline as their area, with --doc-no; once fixed,
             no change may take effect before the rule window. --kind 划定更正 adds the
             file's lines to the delineation as of --date and re-fixes the baseline by
             their area. Both are carried out at once, as the owner (an admin's step).
enterprises  an .xlsx or .csv, one row per enterprise (统一社会信用代码, 企业名称, 行业代码,
             是否规上, 地址 …). A USCC already registered is a conflict unless --update,
             which changes it from the row's non-empty cells.
events       an .xlsx or .csv, one row per parcel event: 宗地代码, 事件类型 (code or Chinese
             name), 事件日期, 文号, and the payload of its type as columns (税收, 年度 …, or
             the payload key itself: tax_wan, year). The database checks every row.

A CSV may be UTF-8 or GBK/GB18030 (detected); so may a Shapefile .dbf without .cpg.

The report goes to stdout (a table, or JSON with --json); the exit code is 1 when the file
has errors. A progress bar is drawn on stderr when it is a terminal.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := exchange.ParseKind(args[0])
			if err != nil {
				return err
			}
			opt := exchange.ImportOptions{Kind: k, Path: args[1], Layer: layer, CRS: crs, Xzqdm: xzqdm, Encoding: encoding,
				DryRun: dryRun, CreateHolders: createHolders, Update: update, AdjustmentKind: kind, DocNo: docNo, Change: store.Change{Actor: actor, Reason: reason}}
			if date != "" {
				effective = date
			}
			if effective != "" {
				d, err := time.Parse(time.DateOnly, effective)
				if err != nil {
					return fmt.Errorf("--effective-date must be YYYY-MM-DD: %q", effective)
				}
				opt.Change.Effective = d
			}
			if proposed != "" {
				d, err := time.Parse(time.DateOnly, proposed)
				if err != nil {
					return fmt.Errorf("--proposed-on must be YYYY-MM-DD: %q", proposed)
				}
				opt.ProposedOn = &d
			}
			if mappingFile != "" {
				m, err := exchange.ReadMappingFile(mappingFile)
				if err != nil {
					return err
				}
				opt.Mapping = m
			}
			if _, err := os.Stat(args[1]); err != nil {
				return err
			}
			var bar *progressbar.ProgressBar
			if term.IsTerminal(int(os.Stderr.Fd())) {
				opt.Progress = func(done, total int) {
					if bar == nil {
						bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
							progressbar.OptionSetDescription("读取 reading"), progressbar.OptionShowCount(),
							progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
					}
					bar.Set(done)
				}
			}
			var rep *exchange.Report
			err = db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				var err error
				rep, err = exchange.Import(ctx, pool, opt)
				return err
			})
			if bar != nil {
				bar.Finish()
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				enc.Encode(rep)
			} else {
				rep.WriteText(cmd.OutOrStdout())
			}
			if !rep.OK() {
				return fmt.Errorf("导入被拒绝，%d 个错误 / import refused: %d errors, nothing written", rep.Errors, rep.Errors)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&layer, "layer", "", "layer to read (needed when the file has several)")
	f.StringVar(&crs, "crs", "", "CRS of the file, overriding what it says: EPSG:4490, 4326, 4549 or 4528")
	f.StringVar(&mappingFile, "mapping", "", `JSON file mapping source fields to properties, e.g. {"宗地代码":"zddm","权利人":"holder_name"}; events: {"实缴税金":"payload.tax_wan"}`)
	f.BoolVar(&dryRun, "dry-run", false, "validate and report only; write nothing")
	f.BoolVar(&createHolders, "create-holders", false, "parcels: register holders that are not yet enterprises, named as the file names them")
	f.BoolVar(&update, "update", false, "enterprises: change enterprises already registered from the file (otherwise each is a conflict)")
	f.StringVar(&xzqdm, "xzqdm", "", "district (行政区划代码) of features that name none")
	f.StringVar(&encoding, "encoding", "", "encoding of a Shapefile .dbf without .cpg (e.g. GBK)")
	f.StringVar(&kind, "kind", "调整", "block lines: adjustment kind (调整 补划 纠错 评估优化; 划定 or 划定更正 fix the baseline)")
	f.StringVar(&date, "date", "", "block lines, 划定/划定更正: the delineation's (baseline) or correction's date, YYYY-MM-DD (same as --effective-date)")
	f.StringVar(&effective, "effective-date", "", "legal date of the change (YYYY-MM-DD; default today)")
	f.StringVar(&proposed, "proposed-on", "", "block lines: proposal date of the adjustment (YYYY-MM-DD; default today; approval is not dated before it)")
	f.StringVar(&docNo, "doc-no", "", "block lines: document number (文号) of the adjustment")
	f.StringVar(&reason, "reason", "", "why (recorded in history and audit; default names the file)")
	f.StringVar(&actor, "actor", envOr("LANDREG_ACTOR", "cli:"+envOr("USER", "unknown")), "who imports (recorded as actor; env LANDREG_ACTOR)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	db.register(cmd)
	return cmd
}

func exportCmd() *cobra.Command {
	var db dbFlags
	var format, date, crs, out string
	cmd := &cobra.Command{
		Use:   "export parcels|block-lines|districts -o FILE",
		Short: "Export a collection as of a date to GeoPackage, Shapefile (zip) or GeoJSON",
		Long: `Export writes the versions valid on --date (default: the current ones) with GDAL's ogr2ogr
reading PostGIS: GeoPackage with its SRS tables, a zip of .shp/.shx/.dbf/.prj/.cpg (UTF-8,
field names cut to 10 characters as listed in docs/exchange.md), or GeoJSON in CRS84.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt := exchange.ExportOptions{Collection: args[0], Format: format, CRS: crs}
			if date != "" {
				d, err := time.Parse(time.DateOnly, date)
				if err != nil {
					return fmt.Errorf("--date must be YYYY-MM-DD: %q", date)
				}
				opt.Date = d
			}
			if out == "" {
				return fmt.Errorf("-o FILE is required")
			}
			return db.withDB(cmd, func(ctx context.Context, pool *pgxpool.Pool) error {
				if err := exchange.Export(ctx, pool, opt, out); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", out)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "gpkg", "gpkg | shp | geojson")
	cmd.Flags().StringVar(&date, "date", "", "as of this legal date (YYYY-MM-DD); default current")
	cmd.Flags().StringVar(&crs, "crs", "", "output CRS: EPSG:4490 (default), 4326, 4549, 4528")
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file (.gpkg, .zip for shp, .geojson)")
	db.register(cmd)
	return cmd
}
