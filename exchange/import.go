package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// InputError is a problem with the request or the file as a whole that stops an import
// before any feature is read (several layers and none chosen, unreadable file …).
type InputError struct{ ZH, EN string }

func (e *InputError) Error() string { return e.ZH + " / " + e.EN }

// ImportOptions describe one import.
type ImportOptions struct {
	Kind Kind
	// Path is the file: .geojson/.json, .gpkg, .shp, or a .zip holding one of them.
	Path string
	// Name is shown in the report (the upload's file name); defaults to Path's base.
	Name  string
	Layer string
	// CRS overrides the file's CRS ("EPSG:4549").
	CRS string
	// Mapping adds to the built-in field names: source field → property.
	Mapping map[string]string
	// Encoding of a shapefile's .dbf when it has no .cpg (e.g. GBK).
	Encoding string
	// Xzqdm is the district for features that name none.
	Xzqdm  string
	DryRun bool
	// Change carries actor, reason and legal date to the triggers (history, audit).
	Change store.Change
	// CreateHolders registers holders that are not yet enterprises from the file's
	// holder name and USCC (parcels); without it such features are refused
	// (unknown-enterprise).
	CreateHolders bool
	// Block lines: the adjustment's kind (default 调整) and document number. A 划定 or
	// 划定更正 (with its date as Change.Effective) is carried out at once, fixing the
	// district's baseline (store.Delineate); only admins may ask for one.
	AdjustmentKind string
	DocNo          string
	// ProposedOn is the adjustment's proposal date (nil: the day of the import); a
	// back-dated adjustment states it, since it is approved no earlier (issue 14.3).
	ProposedOn *time.Time
	// Update lets an enterprises import change enterprises already registered (their
	// empty cells leave a field as it is); without it such rows are conflicts.
	Update bool
	// Year of an indicators import (required there); of official classes, for rows
	// without a 年度.
	Year int
	// PublishedOn: official classes, the publication date of rows without one.
	PublishedOn string
	// Progress, when set, is called as features are read (done of total).
	Progress func(done, total int)
}

// Tolerances of the checks, in m² (ellipsoidal): slivers below them are survey noise.
const (
	OutsideToleranceM2 = 1.0
	OverlapToleranceM2 = 0.1
)

// Import validates a file and, unless DryRun or any problem is found, loads it in one
// transaction: parcels with one INSERT … SELECT, block lines as one draft adjustment.
// Problems with features are in the report (err is nil); err is for failures to read
// the file or talk to the database, *InputError for unusable requests and *FileError
// for files refused as unsafe or unreadable (source.go).
func Import(ctx context.Context, pool *pgxpool.Pool, opt ImportOptions) (*Report, error) {
	if opt.Kind == Indicators {
		return importIndicators(ctx, pool, opt)
	}
	if opt.Kind == Classes {
		return importClassKind(ctx, pool, opt)
	}
	if opt.Kind != Parcels && opt.Kind != BlockLines && !tabular(opt.Kind) {
		return nil, &InputError{"导入类型须为 parcels、block-lines、enterprises、events 或 indicators", "kind must be parcels, block-lines, enterprises, events or indicators"}
	}
	if !HaveGDAL() {
		return nil, ErrNoGDAL
	}
	if tabular(opt.Kind) {
		return importTable(ctx, pool, opt)
	}
	if ext := strings.ToLower(filepath.Ext(opt.Path)); tableDrivers[ext] != "" {
		return nil, &InputError{"宗地和区块线须从含几何的文件导入", fmt.Sprintf("%s need geometry: import a .geojson, .gpkg, .shp or a .zip of one, not %s", opt.Kind, ext)}
	}
	mapping, err := NewMapping(opt.Kind, opt.Mapping)
	if err != nil {
		return nil, &InputError{"字段映射无效", err.Error()}
	}
	if opt.Xzqdm != "" {
		if err := codes.Xzqdm(opt.Xzqdm); err != nil {
			return nil, &InputError{"行政区划代码无效", err.Error()}
		}
	}
	name := opt.Name
	if name == "" {
		name = filepath.Base(opt.Path)
	}
	src, layer, openOpts, err := openLayer(ctx, opt.Path, opt.Name, opt.Encoding, opt.Layer)
	if ee := (*EncodingError)(nil); errors.As(err, &ee) {
		// Text not valid in its encoding: every field and record that says so, and
		// nothing read (GDAL would turn it into U+FFFD).
		rep := &Report{Kind: opt.Kind, File: name, DryRun: opt.DryRun, Totals: map[string]int{}, Problems: []Problem{}}
		for _, p := range ee.Problems {
			rep.add(p)
		}
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(src.work)
	if src.driver == drvCSV || src.driver == drvXLSX {
		return nil, &InputError{"宗地和区块线须从含几何的文件导入", "parcels and block lines need a file with geometry (.geojson, .gpkg, .shp or a .zip of one), not a table"}
	}
	shown := layer.Name
	if src.alias != "" {
		shown = src.alias
	}
	rep := &Report{Kind: opt.Kind, File: name, Layer: shown, DryRun: opt.DryRun, Totals: map[string]int{}, Problems: []Problem{}}
	rep.Features = layer.Count
	if src.encoding.Name != "" {
		enc := src.encoding
		rep.Encoding = &enc
	}

	// The CRS: stated by the caller, or identified by GDAL from .prj / GPKG / crs member.
	crs, from, p, err := layerCRS(opt.CRS, layer)
	if err != nil {
		return nil, err
	}
	if from != "" {
		rep.CRSFrom, rep.SourceCRS = from, fmt.Sprintf("EPSG:%d", crs.SRID)
	}
	// A CRS that cannot be read at all stops here; an extent that does not fit it is
	// judged after reading, feature by feature (issue 14.18): one swapped feature must
	// not hide the file's other problems.
	var extentProblem *Problem
	if p != nil && p.Code != "swapped-axes" && p.Code != "wrong-crs" {
		rep.add(*p)
		return rep, nil
	}
	extentProblem = p
	used, ignored, conflicts := mapping.Resolve(layer.Fields)
	rep.Mapping, rep.Ignored = used, ignored
	for _, c := range conflicts {
		rep.Notes = append(rep.Notes, "字段重复映射 / two fields map to one property: "+c)
	}
	if err := requireFields(opt, used); err != nil {
		rep.add(*err)
		return rep, nil
	}

	ld := &loader{opt: opt, rep: rep, crs: crs, used: used, kind: opt.Kind, bad: map[int]bool{}, extentProblem: extentProblem}
	ld.cols = sortedTargets(opt.Kind)
	ld.types = targets(opt.Kind)
	change := opt.Change
	if change.Reason == "" {
		change.Reason = "导入 " + name + " / import of " + name
	}
	ld.change = change
	errRollback := errors.New("rollback")
	err = store.InTx(ctx, pool, change, func(tx pgx.Tx) error {
		// No timeout for a bulk load, and no JIT whatever the pool says: the checks'
		// estimated costs (unanalysed temp tables, PostGIS functions) pass JIT's
		// thresholds, and compiling them took longer than running them (2 s of 4).
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL jit = off`); err != nil {
			return err
		}
		rep.TimingsMS = map[string]int64{}
		t0 := time.Now()
		if err := ld.stage(ctx, tx, src, openOpts, layer.Name); err != nil {
			return err
		}
		t1 := time.Now()
		rep.TimingsMS["read"] = t1.Sub(t0).Milliseconds()
		if ld.placement() {
			rep.Invalid, rep.Valid = rep.Features, 0
			return errRollback
		}
		if err := ld.validate(ctx, tx); err != nil {
			return err
		}
		rep.TimingsMS["validate"] = time.Since(t1).Milliseconds()
		defer func(t time.Time) { rep.TimingsMS["load"] = time.Since(t).Milliseconds() }(time.Now())
		rep.Invalid = len(ld.bad)
		rep.Valid = rep.Features - rep.Invalid
		if !rep.OK() || opt.DryRun {
			return errRollback
		}
		return ld.load(ctx, tx)
	})
	if err != nil && !errors.Is(err, errRollback) {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		// A refusal by the database's own rules: nothing was written; say why.
		if p := dbRefusal(err); p != nil {
			rep.add(*p)
			rep.Imported, rep.AdjustmentID = 0, 0
			return rep, nil
		}
		return nil, err
	}
	rep.sortProblems()
	if rep.AdjustmentID != 0 && rep.Delineation == nil {
		if o, err := store.Preview(ctx, pool, change, rep.AdjustmentID); err == nil {
			rep.Preview = o
		}
	}
	return rep, nil
}

// chooseLayer picks the layer to read: the one named (by its name, or a shapefile's
// own name when Go renamed it while unpacking), or the only one.
func chooseLayer(layers []Layer, name string, src *source) (*Layer, error) {
	var layer *Layer
	if name == "" {
		if len(layers) > 1 {
			names := make([]string, len(layers))
			for i, l := range layers {
				names[i] = l.Name
			}
			return nil, &InputError{"文件含多个图层，请指定图层", "the file has several layers (" + strings.Join(names, ", ") + "); choose one with --layer / layer="}
		}
		layer = &layers[0]
	} else {
		for i := range layers {
			if layers[i].Name == name || (src.alias != "" && name == src.alias) {
				layer = &layers[i]
			}
		}
		if layer == nil {
			return nil, &InputError{"图层不存在", fmt.Sprintf("no layer %q in the file", name)}
		}
	}
	// The layer name goes to ogr2ogr as an argument: one starting with '-' would be
	// taken for an option.
	if strings.HasPrefix(layer.Name, "-") {
		return nil, fileErr(InvalidFile, "图层名称不能以 - 开头", fmt.Sprintf("layer name %q starts with '-'; rename the layer", layer.Name))
	}
	return layer, nil
}

// layerCRS is the CRS to read a layer in: the caller's override (from "override"), or
// what GDAL identified from the .prj, the GeoPackage or the GeoJSON crs member (from
// "file"), checked against the layer's extent. A file whose CRS cannot be used is a
// file-level Problem (unknown-crs, unsupported-crs, swapped-axes, wrong-crs); an
// unusable override an *InputError.
func layerCRS(override string, layer *Layer) (crs geo.CRS, from string, p *Problem, err error) {
	if override != "" {
		c, ok := geo.LookupCRS(override)
		if !ok || !importable(c) {
			return crs, "", nil, &InputError{"不支持的坐标系", fmt.Sprintf("unsupported CRS %q: use %s", override, importableList)}
		}
		crs, from = c, "override"
	} else {
		c, ok := geo.LookupCRS(strconv.Itoa(layer.EPSG))
		switch {
		case layer.EPSG == 0:
			return crs, "", &Problem{Index: -1, Code: "unknown-crs", Message: fmt.Sprintf(
				"无法从文件识别坐标系（%s），请用 --crs 指定 / cannot identify the file's CRS (%s): state it with --crs (%s)", orUnknown(layer.SRS), orUnknown(layer.SRS), importableList)}, nil
		case !ok || !importable(c):
			return crs, "", &Problem{Index: -1, Code: "unsupported-crs", Message: fmt.Sprintf(
				"不支持文件的坐标系 EPSG:%d（%s）/ the file's CRS EPSG:%d (%s) is not supported: landreg imports %s",
				layer.EPSG, layer.SRS, layer.EPSG, layer.SRS, importableList)}, nil
		}
		crs, from = c, "file"
	}
	if layer.Extent != nil {
		if p := diagnoseCRS(crs, *layer.Extent); p != nil {
			return crs, from, p, nil
		}
	}
	return crs, from, nil, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "no SRS"
	}
	return s
}

// importable: lon/lat or a Gauss-Krüger zone of the registry (geo.CRSs).
func importable(c geo.CRS) bool {
	_, gk := c.GaussKruger()
	return c.SRID == 4490 || c.SRID == 4326 || gk
}

// importableList names the importable systems for messages.
const importableList = "EPSG:4490, 4326 or a CGCS2000 3-degree Gauss-Kruger zone (4548/4549/4550, with zone number 4527/4528/4529)"

// diagnoseCRS explains a layer extent that does not fit the CRS: swapped X/Y, a missing
// or extra Gauss-Krüger zone prefix, degrees in a projected CRS. Never swapped silently.
func diagnoseCRS(crs geo.CRS, b geo.BBox) *Problem {
	switch crs.Check(b) {
	case geo.Plausible:
		return nil
	case geo.Swapped:
		return &Problem{Index: -1, Code: "swapped-axes", Field: "geometry", Message: fmt.Sprintf(
			"X/Y 坐标颠倒：范围 %.3f,%.3f – %.3f,%.3f 中北坐标（约 %.0f）位于东坐标位置，请在 GIS 中交换坐标轴后重新导出，本次未导入 / "+
				"X and Y are swapped: the extent %.3f,%.3f – %.3f,%.3f has the northing (about %.0f) in the easting slot for %s; "+
				"swap the axes in your GIS and export again (nothing was imported; landreg never swaps silently)",
			b.MinX, b.MinY, b.MaxX, b.MaxY, b.MinX, b.MinX, b.MinY, b.MaxX, b.MaxY, b.MinX, crs.Name)}
	}
	var hint string
	zone, isGK := crs.GaussKruger()
	for _, other := range geo.CRSs[1:] {
		oz, otherGK := other.GaussKruger()
		if other.SRID == crs.SRID || other.SRID == 3857 || other.SRID == 4326 || other.Check(b) != geo.Plausible {
			continue
		}
		switch {
		case isGK && otherGK && oz == zone && other.Zone == 0:
			hint = fmt.Sprintf("东坐标缺少带号 %d（应为 EPSG:%d，或补上带号）/ the eastings lack the zone prefix %d: the data is in EPSG:%d (%s, without zone number); use --crs EPSG:%d",
				zone, other.SRID, zone, other.SRID, other.Name, other.SRID)
		case isGK && otherGK && oz == zone:
			hint = fmt.Sprintf("东坐标多了带号 %d（应为 EPSG:%d）/ the eastings carry the zone prefix %d: the data is in EPSG:%d (%s); use --crs EPSG:%d",
				zone, other.SRID, zone, other.SRID, other.Name, other.SRID)
		case other.SRID == 4490:
			hint = "坐标是经纬度 / the coordinates are degrees (lon/lat): use --crs EPSG:4490"
		case otherGK && other.Zone != 0:
			hint = fmt.Sprintf("坐标符合 EPSG:%d / the coordinates fit EPSG:%d (%s): use --crs EPSG:%d", other.SRID, other.SRID, other.Name, other.SRID)
		default:
			continue // an unprefixed zone fits any unprefixed easting: no telling which
		}
		break
	}
	if hint == "" {
		hint = "请检查坐标系 / check the CRS; landreg imports " + importableList + " (Wenzhou: 3-degree GK CM 120°E, EPSG:4549)"
	}
	return &Problem{Index: -1, Code: "wrong-crs", Field: "geometry", Message: fmt.Sprintf(
		"坐标范围 %.3f,%.3f – %.3f,%.3f 不在 %s 的合理范围内 / the extent %.3f,%.3f – %.3f,%.3f is not plausible in %s. %s",
		b.MinX, b.MinY, b.MaxX, b.MaxY, crs.Name, b.MinX, b.MinY, b.MaxX, b.MaxY, crs.Name, hint)}
}

func requireFields(opt ImportOptions, used map[string]string) *Problem {
	have := map[string]bool{}
	for _, p := range used {
		have[p] = true
	}
	var need []string
	if opt.Kind == Parcels {
		need = []string{"zddm", "landuse_code"}
	} else {
		need = []string{"level"}
	}
	var missing []string
	for _, n := range need {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &Problem{Index: -1, Code: "missing-field", Field: strings.Join(missing, ","), Message: fmt.Sprintf(
		"缺少必需字段 %s，请在字段映射中指明 / the file has no field for %s: name it in the field mapping (e.g. {\"宗地代码\": \"zddm\"})",
		strings.Join(missing, "、"), strings.Join(missing, ", "))}
}

func sortedTargets(k Kind) []string {
	t := targets(k)
	out := make([]string, 0, len(t))
	for c := range t {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// loader stages, validates and loads one layer.
type loader struct {
	opt   ImportOptions
	rep   *Report
	crs   geo.CRS
	kind  Kind
	used  map[string]string // source field → property
	cols  []string          // staged properties, sorted
	types map[string]string
	bad   map[int]bool
	// curIdx and curID are the feature being read and its source id (code or FID),
	// for the problems found while reading it.
	curIdx int
	curID  string
	change store.Change
	// extentProblem is what the layer's extent says about the CRS (swapped-axes,
	// wrong-crs); misplaced are the features outside the CRS's box, placed those
	// inside it (placement).
	extentProblem *Problem
	misplaced     []Problem
	placed        int
}

// placement reports the features that do not lie where the CRS says data may: when
// none does and the extent explained why (swapped axes, a zone prefix, degrees), that
// one file-level problem (the file is in another CRS, and the other checks would be
// noise); otherwise each misplaced feature with its own problem, among the rest
// (issue 14.18). It says whether the import stops here.
func (l *loader) placement() bool {
	if l.extentProblem != nil && l.placed == 0 && len(l.misplaced) > 0 {
		l.rep.add(*l.extentProblem)
		return true
	}
	for _, p := range l.misplaced {
		l.rep.add(p)
	}
	return false
}

// problem records an error of the feature being read.
func (l *loader) problem(idx int, code, field, msg string) {
	l.problemOf(idx, l.curID, code, field, msg)
}

// problemOf records an error of feature idx whose source id is id.
func (l *loader) problemOf(idx int, id, code, field, msg string) {
	l.bad[idx] = true
	l.rep.add(Problem{Index: idx, SourceID: id, Code: code, Field: field, Message: msg})
}

// warningOf records a finding that does not block the import.
func (l *loader) warningOf(idx int, id, code, field, msg string) {
	l.rep.add(Problem{Index: idx, SourceID: id, Code: code, Severity: "warning", Field: field, Message: msg})
}

type seqFeature struct {
	ID         json.RawMessage `json:"id"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// stage streams the layer out of ogr2ogr (COPY data, coordinates left in the source CRS:
// dump.go) into a temporary table with COPY; PostGIS transforms on the way in. Memory
// stays flat: one feature at a time, nothing kept per feature but its problems.
func (l *loader) stage(ctx context.Context, tx pgx.Tx, src *source, openOpts []string, layer string) error {
	var cols []string
	for _, c := range l.cols {
		cols = append(cols, pgx.Identifier{c}.Sanitize()+" text")
	}
	ddl := `CREATE TEMP TABLE landreg_import (ord int PRIMARY KEY, src_id text, srid int, wkb bytea, ` + strings.Join(cols, ", ") + `,
  g geometry GENERATED ALWAYS AS (ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB(wkb), srid), 4490))) STORED) ON COMMIT DROP`
	if _, err := tx.Exec(ctx, ddl); err != nil {
		return err
	}
	// ogr2ogr feeds a channel of rows while COPY sends the previous ones: the reader,
	// the parse and the database each get a core when there are two.
	type item struct {
		row []any
		err error
	}
	rows := make(chan item, 256)
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var readErr error
	idx := 0
	go func() {
		defer close(rows)
		err := eachDumped(readCtx, src, openOpts, layer, func(n int, f *rawFeature) error {
			row := make([]any, 4+len(l.cols))
			l.feature(n, f, row)
			idx = n + 1
			if l.opt.Progress != nil && idx%500 == 0 {
				l.opt.Progress(idx, l.rep.Features)
			}
			select {
			case rows <- item{row: row}:
				return nil
			case <-readCtx.Done():
				return readCtx.Err()
			}
		})
		if err != nil {
			rows <- item{err: err}
		}
	}()
	next := func() ([]any, error) {
		it, ok := <-rows
		if !ok {
			return nil, nil
		}
		if it.err != nil {
			readErr = it.err
			return nil, it.err
		}
		return it.row, nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"landreg_import"}, append([]string{"ord", "src_id", "srid", "wkb"}, l.cols...), pgx.CopyFromFunc(next))
	cancel()
	for range rows { // the reader has stopped once its channel is closed
	}
	if readErr != nil {
		return readErr
	}
	if err != nil {
		return err
	}
	if l.opt.Progress != nil {
		l.opt.Progress(idx, l.rep.Features)
	}
	l.rep.Features = idx
	return nil
}

// feature fills row for one feature and records the problems Go can see: codes, value
// types, geometry type, ring closure and placement in the CRS.
func (l *loader) feature(idx int, f *rawFeature, row []any) {
	vals := map[string]string{}
	for src, v := range f.Props {
		if p, ok := l.used[src]; ok {
			if s := strings.TrimSpace(v); s != "" {
				vals[p] = s
			}
		}
	}
	// The district a feature names, or the caller's default, or the code's prefix.
	if vals["xzqdm"] == "" && l.opt.Xzqdm != "" {
		vals["xzqdm"] = l.opt.Xzqdm
	}
	id := vals["zddm"]
	if l.kind == BlockLines {
		id = vals["code"]
	}
	if id == "" && f.ID != "" {
		id = "fid " + f.ID
	}
	l.curIdx, l.curID = idx, id
	for _, c := range l.cols {
		s, ok := vals[c]
		if !ok {
			continue
		}
		switch {
		case strings.ContainsRune(s, utf8.RuneError):
			// Text misread somewhere (a wrong .cpg, a transcoding upstream): never
			// stored (the database refuses it too).
			l.problem(idx, "bad-encoding", c, replacementMessage(c, s))
			delete(vals, c)
			continue
		case c == "level":
			lv, ok := parseLevel(s)
			if !ok {
				l.problem(idx, "bad-value", c, fmt.Sprintf("区块线级别须为 1 或 2（一级/二级）/ level must be 1 or 2 (一级/二级), got %q", s))
				delete(vals, c)
				continue
			}
			vals[c] = lv
		default:
			n, err := normalize(l.types[c], s)
			if err != nil {
				l.problem(idx, "bad-value", c, err.Error())
				delete(vals, c)
				continue
			}
			vals[c] = n
		}
	}
	l.checkCodes(idx, vals)
	row[0], row[1], row[2] = int32(idx), id, int32(l.crs.SRID)
	if pg, err := geo.ParsePolygonalEWKB(f.EWKB, l.crs); err != nil {
		code := "bad-geometry"
		var ie *geo.InputError
		misplaced := errors.As(err, &ie) && (strings.Contains(ie.EN, "swapped") || strings.Contains(ie.EN, "not plausible"))
		if misplaced && strings.Contains(ie.EN, "swapped") {
			code = "swapped-axes"
		}
		if misplaced {
			// Reported by placement, once every feature is read.
			l.bad[idx] = true
			l.misplaced = append(l.misplaced, Problem{Index: idx, SourceID: id, Code: code, Field: "geometry", Message: err.Error()})
		} else {
			l.problem(idx, code, "geometry", err.Error())
		}
	} else {
		row[3] = pg.WKB
		l.placed++
	}
	for i, c := range l.cols {
		if s, ok := vals[c]; ok {
			row[4+i] = s
		}
	}
}

func (l *loader) checkCodes(idx int, v map[string]string) {
	report := func(err error) {
		var ce *codes.Error
		if errors.As(err, &ce) {
			l.problem(idx, "bad-code", ce.Field, ce.Error())
		}
	}
	if l.kind == BlockLines {
		if x := v["xzqdm"]; x != "" {
			report(codes.Xzqdm(x))
		}
		if v["level"] == "" {
			l.problem(idx, "missing-value", "level", "缺少区块线级别 / level (1 or 2) is missing")
		}
		return
	}
	// A parcel by the registry's rules (landreg.ValidateParcel, the API's too); a
	// missing district is the code's (sqlDistrictFromCode does the same).
	rec := v
	if rec["xzqdm"] == "" && len(rec["zddm"]) >= 6 {
		rec = maps.Clone(v)
		rec["xzqdm"] = rec["zddm"][:6]
	}
	for _, e := range landreg.ValidateParcel(rec, landreg.CivilDate(timeNow())) {
		code := "bad-value"
		switch {
		case rec[e.Field] == "":
			code = "missing-value"
		case e.Kind == landreg.KindInvalidCode:
			code = "bad-code"
		}
		l.problem(idx, code, e.Field, e.Error())
	}
}

// reEncoding is a character set name as iconv knows them (GBK, UTF-8, CP936 …).
var reEncoding = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$`)

// timeNow is the clock of adjustments' default effective date (Asia/Shanghai civil day).
var timeNow = func() time.Time { return time.Now() }

// openLayer checks and opens a caller's file (openSource) and chooses its layer: what
// every reader of caller files does before reading features. The caller removes
// src.work; openOpts carry the encoding to GDAL.
func openLayer(ctx context.Context, path, name, encoding, layerName string) (src *source, layer *Layer, openOpts []string, err error) {
	if encoding != "" && !reEncoding.MatchString(encoding) {
		return nil, nil, nil, &InputError{"编码名称无效", fmt.Sprintf("encoding %q is not a character set name (e.g. GBK, UTF-8)", encoding)}
	}
	if src, err = openSource(path, name); err != nil {
		return nil, nil, nil, err
	}
	var oo string
	switch src.driver {
	case drvShapefile:
		src.encoding, oo, err = shapeEncoding(src.path, encoding)
	case drvCSV:
		// Transcoded to UTF-8 already (transcodeCSV); the first line names the columns.
		openOpts = []string{"-oo", "HEADERS=YES", "-oo", "EMPTY_STRING_AS_NULL=YES"}
	case drvXLSX:
		src.encoding = Encoding{Name: "UTF-8", From: "file"}
	default:
		src.encoding, oo = Encoding{Name: "UTF-8", From: "file"}, ""
		if encoding != "" {
			oo = "ENCODING=" + encoding
		}
	}
	if err != nil {
		os.RemoveAll(src.work)
		return nil, nil, nil, err
	}
	if oo != "" {
		openOpts = append(openOpts, "-oo", oo)
	}
	layers, err := inspect(ctx, src, openOpts)
	if err == nil {
		layer, err = chooseLayer(layers, layerName, src)
	} else if fe := (*FileError)(nil); !errors.As(err, &fe) && !errors.Is(err, ErrNoGDAL) {
		err = fileErr(InvalidFile, "无法按 "+src.driver+" 格式读取文件", "GDAL cannot read the file as "+src.driver+": "+err.Error())
	}
	if err != nil {
		os.RemoveAll(src.work)
		return nil, nil, nil, err
	}
	return src, layer, openOpts, nil
}
