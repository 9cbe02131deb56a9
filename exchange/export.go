package exchange

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/geo"
)

// Formats that Export writes.
const (
	GPKG    = "gpkg"
	SHP     = "shp"
	GeoJSON = "geojson"
)

// ParseFormat accepts gpkg, shp (shapefile, zip) and geojson (json).
func ParseFormat(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "gpkg", "geopackage":
		return GPKG, nil
	case "shp", "shapefile", "zip":
		return SHP, nil
	case "geojson", "json":
		return GeoJSON, nil
	}
	return "", &InputError{"不支持的格式", fmt.Sprintf("unknown format %q: use gpkg, shp or geojson", s)}
}

// field is one exported attribute: SQL expression, its name, and its Shapefile name
// (dBASE allows 10 characters; docs/exchange.md lists the short names).
type field struct{ expr, name, short string }

type exportDef struct {
	table, all string // current table and the current ∪ history view ("" = not versioned)
	key        string // the order of the rows ("" = id)
	layer      string
	fields     []field
}

var exportDefs = map[string]exportDef{
	"parcels": {table: "parcels", all: "parcels_all", layer: "parcels", fields: []field{
		{"id", "id", "id"}, {"zddm", "zddm", "zddm"}, {"bdcdyh", "bdcdyh", "bdcdyh"}, {"cert_no", "cert_no", "cert_no"},
		{"xzqdm", "xzqdm", "xzqdm"}, {"location", "location", "location"}, {"project_name", "project_name", "proj_name"},
		{"holder_name", "holder_name", "holder"}, {"holder_uscc", "holder_uscc", "holder_usc"},
		{"landuse_code", "landuse_code", "landuse"}, {"landuse_system", "landuse_system", "landuse_sy"},
		{"industry_code", "industry_code", "industry"}, {"registered_area_m2", "registered_area_m2", "reg_area"},
		{"supply_method", "supply_method", "supply"}, {"supervision_no", "supervision_no", "superv_no"},
		{"contract_no", "contract_no", "contr_no"}, {"contract_date", "contract_date", "contr_date"},
		{"price_wan", "price_wan", "price_wan"}, {"term_years", "term_years", "term_years"},
		{"is_standard_land", "is_standard_land", "std_land"}, {"agreed_delivery", "agreed_delivery", "agr_deliv"},
		{"agreed_start", "agreed_start", "agr_start"}, {"agreed_completion", "agreed_completion", "agr_compl"},
		{"agreed_rampup_review", "agreed_rampup_review", "agr_review"}, {"far_min", "far_min", "far_min"},
		{"far_max", "far_max", "far_max"}, {"coverage_min", "coverage_min", "cov_min"},
		{"invest_intensity_wan_per_mu", "invest_intensity_wan_per_mu", "invest_int"},
		{"tax_per_mu_wan", "tax_per_mu_wan", "tax_per_mu"}, {"va_per_mu_wan", "va_per_mu_wan", "va_per_mu"},
		{"energy_va_wan_per_tce", "energy_va_wan_per_tce", "energy_va"}, {"emission_va_wan_per_t", "emission_va_wan_per_t", "emiss_va"},
		{"rd_ratio", "rd_ratio", "rd_ratio"}, {"valid_from", "valid_from", "valid_from"}, {"valid_to", "valid_to", "valid_to"},
		{"version", "version", "version"}, {"round(area_m2::numeric, 2)", "area_m2", "area_m2"},
	}},
	"block_lines": {table: "block_lines", all: "block_lines_all", layer: "block_lines", fields: []field{
		{"id", "id", "id"}, {"code", "code", "code"}, {"name", "name", "name"}, {"xzqdm", "xzqdm", "xzqdm"},
		{"level", "level", "level"}, {"approval_doc", "approval_doc", "appr_doc"}, {"adjustment_id", "adjustment_id", "adj_id"},
		{"valid_from", "valid_from", "valid_from"}, {"valid_to", "valid_to", "valid_to"}, {"version", "version", "version"},
		{"round(area_m2::numeric, 2)", "area_m2", "area_m2"},
	}},
	"districts": {table: "districts", all: "districts_all", key: "xzqdm", layer: "districts", fields: []field{
		{"xzqdm", "xzqdm", "xzqdm"}, {"name", "name", "name"}, {"round(baseline_area_m2::numeric, 2)", "baseline_area_m2", "base_m2"},
		{"baseline_doc", "baseline_doc", "base_doc"}, {"baseline_date", "baseline_date", "base_date"},
		{"rule_start", "rule_start", "rule_start"}, {"rule_end", "rule_end", "rule_end"}, {"comp_ratio", "comp_ratio", "comp_ratio"},
		{"level_for_level", "level_for_level", "lvl_for_lv"}, {"minor_edit_m2", "minor_edit_m2", "minor_m2"},
		{"include_logistics", "include_logistics", "logistics"}, {"gk_srid", "gk_srid", "gk_srid"}, {"doc_no", "doc_no", "doc_no"},
		{"valid_from", "valid_from", "valid_from"}, {"valid_to", "valid_to", "valid_to"}, {"version", "version", "version"},
		{"synthetic", "synthetic", "synthetic"}, {"round(area_m2::numeric, 2)", "area_m2", "area_m2"},
	}},
}

// ParseCollection accepts parcels, block-lines/block_lines and districts.
func ParseCollection(s string) (string, error) {
	c := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	if _, ok := exportDefs[c]; ok {
		return c, nil
	}
	return "", &InputError{"未知的数据集", fmt.Sprintf("unknown collection %q: use parcels, block-lines or districts", s)}
}

// ExportOptions describe one export.
type ExportOptions struct {
	Collection string // parcels, block_lines, districts
	Format     string // gpkg, shp, geojson
	// Date selects the versions valid that day (legal time); zero means the current rows.
	Date time.Time
	// CRS of the output ("EPSG:4549"); empty means EPSG:4490 (CRS84 for GeoJSON).
	CRS string
	// District (6-digit 行政区划代码) keeps only its features; empty means all (the map's
	// export of what it shows, issue 16).
	District string
}

// exportSQL builds the fixed query of a collection. The only values in it are the date,
// rendered from a time.Time as DATE 'YYYY-MM-DD', and a district code checked to be six
// digits (Export), never other request text.
func exportSQL(def exportDef, date time.Time, district string, srid int, short bool) string {
	var cols []string
	for _, f := range def.fields {
		name := f.name
		if short {
			name = f.short
		}
		expr := f.expr
		if def.all == "" && f.name == "valid_to" {
			continue
		}
		if f.name == "valid_to" && date.IsZero() {
			expr = "NULL::date"
		}
		cols = append(cols, expr+` AS "`+name+`"`)
	}
	geom := "geom"
	if srid != 4490 {
		geom = "ST_Transform(geom, " + strconv.Itoa(srid) + ")"
	}
	from, where := def.table, ""
	if def.all != "" && !date.IsZero() {
		d := "DATE '" + date.Format(time.DateOnly) + "'"
		from = def.all
		where = " WHERE valid_from <= " + d + " AND (valid_to IS NULL OR valid_to > " + d + ")"
	}
	if district != "" {
		if where == "" {
			where = " WHERE "
		} else {
			where += " AND "
		}
		where += "xzqdm = '" + district + "'"
	}
	order := "id"
	if def.key != "" {
		order = def.key
	}
	return "SELECT " + strings.Join(cols, ", ") + ", " + geom + " AS geom FROM " + from + where + " ORDER BY " + order
}

// pgSource is GDAL's connection string for the pool's database; the password travels in
// PGPASSWORD, not on the command line.
func pgSource(pool *pgxpool.Pool) (string, []string) {
	c := pool.Config().ConnConfig
	q := func(s string) string {
		return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
	}
	s := fmt.Sprintf("PG:host=%s port=%d dbname=%s user=%s", q(c.Host), c.Port, q(c.Database), q(c.User))
	env := []string{"PGPASSWORD=" + c.Password, "PGAPPNAME=landreg-export", "PG_LIST_ALL_TABLES=NO"}
	if c.TLSConfig == nil {
		env = append(env, "PGSSLMODE=disable")
	}
	return s, env
}

// Export writes the collection to path: a .gpkg, a .geojson, or for shapefiles a .zip
// holding .shp, .shx, .dbf, .prj and .cpg (UTF-8).
func Export(ctx context.Context, pool *pgxpool.Pool, opt ExportOptions, path string) error {
	coll, err := ParseCollection(opt.Collection)
	if err != nil {
		return err
	}
	format, err := ParseFormat(opt.Format)
	if err != nil {
		return err
	}
	srid := 4490
	if opt.CRS != "" {
		c, ok := geo.LookupCRS(opt.CRS)
		if !ok || !importable(c) {
			return &InputError{"不支持的坐标系", fmt.Sprintf("unsupported CRS %q: use %s", opt.CRS, importableList)}
		}
		srid = c.SRID
	}
	if !HaveGDAL() {
		return ErrNoGDAL
	}
	def := exportDefs[coll]
	tmp, err := os.MkdirTemp("", "landreg-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src, env := pgSource(pool)
	if opt.District != "" && !isDistrictCode(opt.District) {
		return &InputError{"行政区划代码须为 6 位数字", fmt.Sprintf("district must be a 6-digit code, got %q", opt.District)}
	}
	sql := exportSQL(def, opt.Date, opt.District, srid, format == SHP)
	args := []string{}
	var out string
	switch format {
	case GPKG:
		out = filepath.Join(tmp, def.layer+".gpkg")
		args = append(args, "-f", "GPKG", out, src, "-sql", sql, "-nln", def.layer, "-nlt", "MULTIPOLYGON",
			"-a_srs", "EPSG:"+strconv.Itoa(srid), "-lco", "GEOMETRY_NAME=geom")
	case SHP:
		out = filepath.Join(tmp, def.layer+".shp")
		args = append(args, "-f", "ESRI Shapefile", out, src, "-sql", sql, "-nln", def.layer, "-nlt", "POLYGON",
			"-a_srs", "EPSG:"+strconv.Itoa(srid), "-lco", "ENCODING=UTF-8")
	case GeoJSON:
		out = filepath.Join(tmp, def.layer+".geojson")
		args = append(args, "-f", "GeoJSON", out, src, "-sql", sql, "-nln", def.layer, "-a_srs", "EPSG:"+strconv.Itoa(srid))
		if srid == 4490 || srid == 4326 {
			// RFC 7946: lon/lat CRS84 (CGCS2000 → WGS 84 is a no-op in PROJ), 9 decimals (0.1 mm).
			args = append(args, "-lco", "RFC7946=YES", "-lco", "COORDINATE_PRECISION=9")
		} else {
			args = append(args, "-lco", "COORDINATE_PRECISION=3")
		}
	}
	if _, _, err := run(ctx, gdalEnv(env...), "ogr2ogr", args...); err != nil {
		return err
	}
	if format == SHP {
		zipped := filepath.Join(tmp, def.layer+".zip")
		if err := zipShapefile(zipped, tmp, def.layer); err != nil {
			return err
		}
		out = zipped
	}
	return moveFile(out, path)
}

// MediaType and FileName of an export, for Content-Type and Content-Disposition.
func MediaType(format string) string {
	switch format {
	case GPKG:
		return "application/geopackage+sqlite3"
	case SHP:
		return "application/zip"
	}
	return "application/geo+json"
}

// FileName is the download name of an export.
func FileName(collection, format string, date time.Time) string {
	ext := map[string]string{GPKG: ".gpkg", SHP: ".zip", GeoJSON: ".geojson"}[format]
	suffix := ""
	if !date.IsZero() {
		suffix = "_" + date.Format("20060102")
	}
	return collection + suffix + ext
}

func zipShapefile(zipPath, dir, layer string) error {
	f, err := os.Create(zipPath)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		b, err := os.ReadFile(filepath.Join(dir, layer+ext))
		if err != nil {
			f.Close()
			return fmt.Errorf("shapefile part missing: %w", err)
		}
		w, err := zw.Create(layer + ext)
		if err != nil {
			f.Close()
			return err
		}
		if _, err := w.Write(b); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// moveFile renames, or copies across file systems.
func moveFile(from, to string) error {
	if err := os.Rename(from, to); err == nil {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	return WriteFile(to, in)
}

// WriteFile creates path with what r holds (uploads, files moved across file systems).
func WriteFile(path string, r io.Reader) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// isDistrictCode: six ASCII digits, so the code can stand in the export's SQL text.
func isDistrictCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
