package exchange

import (
	"github.com/landreg/landreg"

	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/landreg/landreg/store"
)

// Problem is one finding about one feature (or the whole file when Index is -1).
type Problem struct {
	// Index is the feature's position in the layer, from 0; -1 for the file.
	Index int `json:"index"`
	// SourceID is the feature's code (宗地代码, 区块编号) or its FID in the file.
	SourceID string `json:"source_id,omitempty"`
	// Code is a stable kind: invalid-geometry, bad-code, unknown-district, overlap, …
	Code string `json:"code"`
	// Severity is "error" (blocks the import) or "warning" (a data-quality finding the
	// registry accepts, e.g. overlapping parcels, domain.md §7.10).
	Severity string `json:"severity"`
	Field    string `json:"field,omitempty"`
	// Message is bilingual: "中文 / English".
	Message string `json:"message"`
}

// MaxListed bounds the problems a report lists; Totals count them all.
const MaxListed = 1000

// Report is the outcome of an import or a dry run.
type Report struct {
	Kind   Kind   `json:"kind"`
	File   string `json:"file"`
	Layer  string `json:"layer"`
	Driver string `json:"-"`
	// SourceCRS is the file's CRS as used (EPSG code) and where it came from.
	SourceCRS string `json:"source_crs,omitempty"`
	CRSFrom   string `json:"crs_from,omitempty"` // file | override
	// Encoding is what the file's text was read as (a shapefile's .cpg, the caller's
	// encoding, or detected from the .dbf; issue 14.17).
	Encoding  *Encoding `json:"encoding,omitempty"`
	DryRun    bool      `json:"dry_run"`
	Features  int       `json:"features"`
	Valid     int       `json:"valid"`
	Invalid   int       `json:"invalid"`
	ProblemsN int       `json:"problem_count"`
	Errors    int       `json:"error_count"`
	Warnings  int       `json:"warning_count"`
	Imported  int       `json:"imported"`
	AreaM2    float64   `json:"area_m2"`
	// Mapping is the field mapping used: source field → property.
	Mapping map[string]string `json:"mapping"`
	Ignored []string          `json:"ignored_fields,omitempty"`
	Notes   []string          `json:"notes,omitempty"`
	// Totals counts problems by code.
	Totals   map[string]int `json:"totals"`
	Problems []Problem      `json:"problems"`
	// Truncated says Problems lists only the first MaxListed.
	Truncated bool `json:"truncated,omitempty"`
	// Block lines: the draft adjustment created, and its preview.
	AdjustmentID int64          `json:"adjustment_id,omitempty"`
	Xzqdm        string         `json:"xzqdm,omitempty"`
	Preview      *store.Outcome `json:"preview,omitempty"`
	// Delineation: what a 划定 or 划定更正 import fixed (no draft, no preview).
	Delineation *store.Delineation `json:"delineation,omitempty"`
	// TimingsMS is how long each step took: read (ogr2ogr + COPY), validate, load.
	TimingsMS map[string]int64 `json:"timings_ms,omitempty"`
	// Enterprises: how many rows register a new enterprise, change one, or leave one as
	// it is (with Update); in a dry run, what the import would do.
	Created   int `json:"created,omitempty"`
	Updated   int `json:"updated,omitempty"`
	Unchanged int `json:"unchanged,omitempty"`
	// EnterprisesCreated counts holders registered from holder_name + holder_uscc
	// (only with CreateHolders, --create-holders).
	EnterprisesCreated int `json:"enterprises_created,omitempty"`
}

// OK reports whether the file had no error (warnings do not block an import).
func (r *Report) OK() bool { return r.Errors == 0 }

func (r *Report) add(p Problem) {
	if r.Totals == nil {
		r.Totals = map[string]int{}
	}
	if p.Severity == "" {
		p.Severity = "error"
	}
	if p.Severity == "warning" {
		r.Warnings++
	} else {
		r.Errors++
	}
	r.Totals[p.Code]++
	r.ProblemsN++
	if len(r.Problems) < MaxListed {
		r.Problems = append(r.Problems, p)
	} else {
		r.Truncated = true
	}
}

func (r *Report) sortProblems() {
	sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Index < r.Problems[j].Index })
}

// WriteText prints the report as a table for a terminal.
func (r *Report) WriteText(w io.Writer) {
	mode := "导入 import"
	if r.DryRun {
		mode = "试运行 dry run"
	}
	if r.SourceCRS != "" {
		fmt.Fprintf(w, "%s: %s %s (layer %s, %s from %s)\n", mode, r.Kind, r.File, r.Layer, r.SourceCRS, r.CRSFrom)
	} else {
		fmt.Fprintf(w, "%s: %s %s (sheet %s)\n", mode, r.Kind, r.File, r.Layer)
	}
	if r.Encoding != nil {
		fmt.Fprintf(w, "编码 encoding: %s (%s)\n", r.Encoding.Name, r.Encoding.From)
	}
	if len(r.Mapping) > 0 {
		keys := make([]string, 0, len(r.Mapping))
		for k := range r.Mapping {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "→" + r.Mapping[k]
		}
		fmt.Fprintf(w, "字段 fields: %s\n", strings.Join(parts, ", "))
	}
	if len(r.Ignored) > 0 {
		fmt.Fprintf(w, "未导入字段 ignored fields: %s\n", strings.Join(r.Ignored, ", "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "注 note: %s\n", n)
	}
	if len(r.Problems) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "#\t要素 feature\t级别 severity\t问题 problem\t字段 field\t说明 message")
		for _, p := range r.Problems {
			idx := "file"
			if p.Index >= 0 {
				idx = fmt.Sprint(p.Index)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", idx, p.SourceID, p.Severity, p.Code, p.Field, p.Message)
		}
		tw.Flush()
		if r.Truncated {
			fmt.Fprintf(w, "… only the first %d of %d problems are listed\n", MaxListed, r.ProblemsN)
		}
	}
	codes := make([]string, 0, len(r.Totals))
	for k := range r.Totals {
		codes = append(codes, k)
	}
	sort.Strings(codes)
	var tot []string
	for _, k := range codes {
		tot = append(tot, fmt.Sprintf("%s %d", k, r.Totals[k]))
	}
	unit := "features"
	if tabular(r.Kind) {
		unit = "rows"
	}
	fmt.Fprintf(w, "合计 totals: %d %s, %d valid, %d with errors; %d errors, %d warnings", r.Features, unit, r.Valid, r.Invalid, r.Errors, r.Warnings)
	if len(tot) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(tot, ", "))
	}
	fmt.Fprintln(w)
	switch {
	case !r.OK():
		fmt.Fprintln(w, "未写入任何数据 / nothing was written")
	case r.Kind == Enterprises:
		verb := "已导入 / imported"
		if r.DryRun {
			verb = "可以导入 / ready to import"
		}
		fmt.Fprintf(w, "%s: %d enterprises new, %d changed, %d unchanged\n", verb, r.Created, r.Updated, r.Unchanged)
	case r.Kind == Events && r.DryRun:
		fmt.Fprintf(w, "可以导入 / ready to import: %d events\n", r.Valid)
	case r.Kind == Events:
		fmt.Fprintf(w, "已导入 / imported %d events\n", r.Imported)
	case r.DryRun:
		fmt.Fprintf(w, "可以导入 / ready to import: %d features, %.2f m² (%.4f 亩)\n", r.Valid, r.AreaM2, landreg.Mu(r.AreaM2))
	case r.Delineation != nil:
		d := r.Delineation
		fmt.Fprintf(w, "已%s / %s %d of district %s (%s, as of %s): %d lines, total %.2f m²; baseline fixed at %.2f m² (%.4f 亩)\n",
			d.Kind, d.Kind, d.AdjustmentID, d.Xzqdm, d.DocNo, d.EffectiveDate, r.Imported, d.TotalAfterM2, d.BaselineM2, landreg.Mu(d.BaselineM2))
	case r.AdjustmentID != 0:
		fmt.Fprintf(w, "已创建调整方案草稿 / draft adjustment %d created for district %s with %d additions (%.2f m²); preview, publicise and approve it under /v1/adjustments/%d\n",
			r.AdjustmentID, r.Xzqdm, r.Imported, r.AreaM2, r.AdjustmentID)
		if p := r.Preview; p != nil {
			fmt.Fprintf(w, "预览 preview: accepted=%v added L1 %.2f m², L2 %.2f m²; total after %.2f m² %s\n", p.Accepted, p.AddedM2L1, p.AddedM2L2, p.TotalAfterM2, p.Message)
		}
	default:
		fmt.Fprintf(w, "已导入 / imported %d parcels, %.2f m² (%.4f 亩)\n", r.Imported, r.AreaM2, landreg.Mu(r.AreaM2))
	}
}
