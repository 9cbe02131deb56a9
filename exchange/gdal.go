package exchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

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

// gdalEnv keeps GDAL quiet and deterministic; extra adds settings (PGPASSWORD …).
func gdalEnv(extra ...string) []string {
	env := append(os.Environ(), "CPL_DEBUG=OFF", "GDAL_PAM_ENABLED=NO")
	return append(env, extra...)
}

// run executes a GDAL tool and returns stdout; errors carry GDAL's own message.
func run(ctx context.Context, env []string, name string, args ...string) ([]byte, error) {
	if _, err := exec.LookPath(name); err != nil {
		return nil, ErrNoGDAL
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s: %s", name, gdalMessage(errb.String(), err))
	}
	return out.Bytes(), nil
}

// gdalMessage keeps GDAL's ERROR lines (warnings are noise to a user).
func gdalMessage(stderr string, err error) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "ERROR") || strings.HasPrefix(l, "FAILURE") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) == 0 {
		s := strings.TrimSpace(stderr)
		if s == "" {
			return err.Error()
		}
		return s
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
// options (-oo ENCODING=…) apply to shapefiles without a .cpg.
func inspect(ctx context.Context, src string, openOpts []string) ([]Layer, error) {
	args := append([]string{"-ro", "-so", "-al", "-nomd"}, openOpts...)
	args = append(args, src)
	out, err := run(ctx, gdalEnv(), "ogrinfo", args...)
	if err != nil {
		return nil, err
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
		return nil, fmt.Errorf("ogrinfo found no layer in %s", src)
	}
	return layers, nil
}
