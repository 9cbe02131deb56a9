package exchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/landreg/landreg/geo"
)

// GDAL's command-line tools do the file formats (docs/decisions.md, issue 6): they read
// .prj/.cpg, GBK .dbf, GeoPackage SRS tables and GeoJSON crs members better than any
// Go library, and Debian's gdal-bin is maintained with the rest of the system.

// ErrNoGDAL means ogr2ogr/ogrinfo are not installed.
var ErrNoGDAL = errors.New("GDAL command-line tools (ogr2ogr, ogrinfo) not found: apt-get install gdal-bin")

// HaveGDAL reports whether the GDAL tools are on PATH.
func HaveGDAL() bool {
	for _, t := range []string{"ogr2ogr", "ogrinfo"} {
		if _, err := exec.LookPath(t); err != nil {
			return false
		}
	}
	return true
}

// gdalEnv keeps GDAL quiet and deterministic; extra adds settings (PGPASSWORD …). It
// is for reading the database (exports), never for files from outside (readerEnv).
func gdalEnv(extra ...string) []string {
	env := append(os.Environ(), "CPL_DEBUG=OFF", "GDAL_PAM_ENABLED=NO")
	return append(env, extra...)
}

// passedEnv are the only variables of ours a GDAL tool reading a file inherits: where
// it and its data live. Database settings (DATABASE_URL, PG*), proxies, no_proxy,
// SPATIALITE_SECURITY and any GDAL option of the caller's stay behind.
var passedEnv = []string{"PATH", "LD_LIBRARY_PATH", "LANG", "LC_ALL", "LC_CTYPE", "GDAL_DATA", "GDAL_DRIVER_PATH", "PROJ_DATA", "PROJ_LIB"}

// readerEnv is the environment of ogrinfo/ogr2ogr reading a file to import
// (docs/decisions.md, "Upload safety"): only the file's driver (and GeoJSONSeq and
// PGDUMP, which ogr2ogr writes to stdout and which open nothing) is registered, SQLite
// may run no application function from a view and SpatiaLite (whose virtual tables read
// any file) is not loaded, every HTTP
// request goes to a proxy that is not there, and HOME and the temp folder are work.
func readerEnv(driver, work string) ([]string, error) {
	skip, err := otherDrivers(driver, "GeoJSONSeq", "PGDUMP")
	if err != nil {
		return nil, err
	}
	home := filepath.Join(work, "gdal")
	if err := os.Mkdir(home, 0o700); err != nil {
		return nil, err
	}
	return append(baseEnv(),
		"HOME="+home, "TMPDIR="+home, "CPL_TMPDIR="+home,
		"CPL_DEBUG=OFF", "GDAL_PAM_ENABLED=NO",
		// Comma-separated, as names like "ESRI Shapefile" hold spaces.
		"GDAL_SKIP="+strings.Join(skip, ","),
		"SPATIALITE_LOAD=NO",
		// Spreadsheets: the first row names the columns, every cell is read as text
		// (codes keep their leading zeros; table.go types the values).
		"OGR_XLSX_HEADERS=FORCE", "OGR_XLSX_FIELD_TYPES=STRING",
		"OGR_SQLITE_PRAGMA=trusted_schema=OFF",
		// 127.0.0.1:9 is the discard port: nothing answers there, and whatever might
		// listen keeps nothing. Short timeouts so a listener cannot stall an import.
		"GDAL_HTTP_PROXY=127.0.0.1:9", "GDAL_HTTPS_PROXY=127.0.0.1:9",
		"GDAL_HTTP_CONNECTTIMEOUT=1", "GDAL_HTTP_TIMEOUT=1", "GDAL_HTTP_MAX_RETRY=0", "GDAL_HTTP_NETRC=NO",
		"CPL_VSIL_CURL_ALLOWED_EXTENSIONS=.landreg-no-network",
		"PROJ_NETWORK=OFF",
	), nil
}

func baseEnv() []string {
	var env []string
	for _, k := range passedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

var (
	driversOnce sync.Once
	drivers     []string
	driversErr  error
)

// otherDrivers lists every vector driver this GDAL has (plugins included) except keep.
// GDAL 3.6's ogrinfo and ogr2ogr have no -if to name the input driver; unregistering
// the others (GDAL_SKIP) also keeps a driver from opening a second dataset.
func otherDrivers(keep ...string) ([]string, error) {
	driversOnce.Do(func() {
		cmd := exec.Command("ogrinfo", "--formats")
		cmd.Env = append(baseEnv(), "CPL_DEBUG=OFF") // the drivers readerEnv's tools will have
		out, err := cmd.Output()
		if err != nil {
			driversErr = fmt.Errorf("ogrinfo --formats: %w", err)
			return
		}
		for _, m := range reFormat.FindAllStringSubmatch(string(out), -1) {
			drivers = append(drivers, m[1])
		}
		if len(drivers) == 0 {
			driversErr = errors.New("ogrinfo --formats listed no driver")
		}
	})
	if driversErr != nil {
		return nil, driversErr
	}
	var skip []string
	for _, d := range drivers {
		if !slices.Contains(keep, d) {
			skip = append(skip, d)
		}
	}
	return skip, nil
}

// reFormat matches a line of `ogrinfo --formats`: `  ESRI Shapefile -vector- (rw+v): …`.
var reFormat = regexp.MustCompile(`(?m)^  (.+?) -[a-z ,]+- \(`)

// run executes a GDAL tool and returns stdout and GDAL's error lines; a failure's
// error carries GDAL's own message.
func run(ctx context.Context, env []string, name string, args ...string) ([]byte, string, error) {
	if _, err := exec.LookPath(name); err != nil {
		return nil, "", ErrNoGDAL
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), "", fmt.Errorf("%s: %s", name, gdalMessage(errb.String(), err))
	}
	return out.Bytes(), errorLines(errb.String()), nil
}

// gdalMessage keeps GDAL's ERROR lines (warnings are noise to a user).
func gdalMessage(stderr string, err error) string {
	if lines := errorLines(stderr); lines != "" {
		return lines
	}
	if s := strings.TrimSpace(stderr); s != "" {
		return s
	}
	return err.Error()
}

// errorLines are GDAL's ERROR and FAILURE lines, joined.
func errorLines(stderr string) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "ERROR") || strings.HasPrefix(l, "FAILURE") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return strings.Join(lines, "; ")
}

// Layer is what ogrinfo says about one layer of a file.
type Layer struct {
	Name     string    `json:"name"`
	Geometry string    `json:"geometry"`
	Count    int       `json:"feature_count"`
	Extent   *geo.BBox `json:"extent,omitempty"`
	// EPSG is the authority code GDAL identified for the layer's SRS, 0 when none.
	EPSG   int      `json:"epsg,omitempty"`
	SRS    string   `json:"srs_name,omitempty"`
	Fields []string `json:"fields"`
}

var (
	reLayerName = regexp.MustCompile(`(?m)^Layer name: (.+)$`)
	reGeometry  = regexp.MustCompile(`(?m)^Geometry: (.+)$`)
	reCount     = regexp.MustCompile(`(?m)^Feature Count: (-?\d+)$`)
	reExtent    = regexp.MustCompile(`(?m)^Extent: \(([-\d.e+]+), ([-\d.e+]+)\) - \(([-\d.e+]+), ([-\d.e+]+)\)`)
	reTopID     = regexp.MustCompile(`(?m)^    ID\["EPSG",(\d+)\]\]`)
	reSRSName   = regexp.MustCompile(`(?m)^(?:PROJCRS|GEOGCRS|GEODCRS|COMPOUNDCRS)\["([^"]*)"`)
	reField     = regexp.MustCompile(`(?m)^([^:\n]+): (?:String|Integer|Integer64|Real|Date|DateTime|Time|Binary|StringList|IntegerList|RealList)(?: |\().*$`)
)

// inspect runs `ogrinfo -ro -so -al` and describes every layer of src. Extra open
// options (-oo ENCODING=…) apply to shapefiles without a .cpg. GDAL reporting errors
// while describing a file refuses it: a layer it could not read (a view calling a
// function SQLite may not run from a file, a SpatiaLite virtual table), a crs it could
// not resolve (a link to a URL); importing on would be a silent fix.
func inspect(ctx context.Context, src *source, openOpts []string) ([]Layer, error) {
	args := append([]string{"-ro", "-so", "-al", "-nomd"}, openOpts...)
	args = append(args, src.path)
	out, errs, err := run(ctx, src.env, "ogrinfo", args...)
	if err != nil {
		return nil, err
	}
	if errs != "" {
		return nil, fileErr(InvalidFile, "GDAL 读取文件时报错，未导入", "GDAL reported errors reading the file "+
			"(it reads nothing but the file: no network, no other files), nothing was imported: "+errs)
	}
	text := string(out)
	starts := reLayerName.FindAllStringIndex(text, -1)
	var layers []Layer
	for i, st := range starts {
		end := len(text)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		block := text[st[0]:end]
		l := Layer{Name: strings.TrimSpace(reLayerName.FindStringSubmatch(block)[1])}
		if m := reGeometry.FindStringSubmatch(block); m != nil {
			l.Geometry = strings.TrimSpace(m[1])
		}
		if m := reCount.FindStringSubmatch(block); m != nil {
			l.Count, _ = strconv.Atoi(m[1])
		}
		if m := reExtent.FindStringSubmatch(block); m != nil {
			var v [4]float64
			for k := 0; k < 4; k++ {
				v[k], _ = strconv.ParseFloat(m[k+1], 64)
			}
			l.Extent = &geo.BBox{MinX: v[0], MinY: v[1], MaxX: v[2], MaxY: v[3]}
		}
		srs := block
		if k := strings.Index(srs, "Layer SRS WKT:"); k >= 0 {
			srs = srs[k:]
			if e := strings.Index(srs, "Data axis to CRS axis mapping"); e >= 0 {
				srs = srs[:e]
			}
			// The top-level ID of a pretty-printed WKT2 is indented by four spaces;
			// nested ones (datum, base CRS, parameters) deeper.
			if m := reTopID.FindAllStringSubmatch(srs, -1); len(m) > 0 {
				l.EPSG, _ = strconv.Atoi(m[len(m)-1][1])
			}
			if m := reSRSName.FindStringSubmatch(srs[len("Layer SRS WKT:"):]); m == nil {
				if mm := regexp.MustCompile(`\n([A-Z]+CRS)\["([^"]*)"`).FindStringSubmatch(srs); mm != nil {
					l.SRS = mm[2]
				}
			} else {
				l.SRS = m[1]
			}
		}
		fieldsText := block
		if e := strings.Index(block, "Data axis to CRS axis mapping"); e >= 0 {
			fieldsText = block[e:]
		} else if e := strings.Index(block, "Layer SRS WKT:\n(unknown)"); e >= 0 {
			fieldsText = block[e:]
		}
		for _, m := range reField.FindAllStringSubmatch(fieldsText, -1) {
			name := strings.TrimSpace(m[1])
			if name == "FID Column" || name == "Geometry Column" || strings.HasPrefix(name, "Extent") {
				continue
			}
			l.Fields = append(l.Fields, name)
		}
		layers = append(layers, l)
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("ogrinfo found no layer in %s", src.shown)
	}
	return layers, nil
}
