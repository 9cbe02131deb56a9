package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Parcels and block lines are read from ogr2ogr's PostgreSQL dump writer (PGDUMP) in COPY
// form on stdout: one tab-separated line per feature with the geometry as hex EWKB and
// the fields as GDAL's text, instead of GeoJSONSeq. Formatting every coordinate as a
// decimal and parsing it back cost ogr2ogr and Go four times the rest of the read at
// 200,000 parcels (docs/decisions.md, issue 18). Coordinates stay in the source CRS
// (PostGIS transforms); Z and M are dropped and curves linearised, as GeoJSON did, and
// the layer takes any geometry type (Go reports what is not a polygon).

// Names of the geometry and FID columns in the dump, unlikely in a source file.
const (
	dumpGeom = "landreg_geom_"
	dumpFID  = "landreg_fid_"
)

// rawFeature is one feature of the dump: its FID, its fields by source name (absent
// when NULL) and its geometry as EWKB (nil when NULL).
type rawFeature struct {
	ID    string
	Props map[string]string
	EWKB  []byte
}

// dumpArgs are ogr2ogr's arguments to write a layer as COPY data on stdout.
func dumpArgs(src *source, openOpts []string, layer string) []string {
	args := append([]string{"--config", "PG_USE_COPY", "YES", "-f", "PGDUMP", "/vsistdout/"}, openOpts...)
	return append(args, src.path, layer, "-nln", "landreg", "-a_srs", "None", "-preserve_fid", "-gt", "unlimited",
		"-dim", "XY", "-nlt", "CONVERT_TO_LINEAR", "-nlt", "GEOMETRY", "-unsetFieldWidth",
		"-mapFieldType", "Date=String,DateTime=String,Time=String",
		"-lco", "CREATE_TABLE=OFF", "-lco", "CREATE_SCHEMA=OFF", "-lco", "SPATIAL_INDEX=NONE", "-lco", "LAUNDER=NO",
		"-lco", "GEOMETRY_NAME="+dumpGeom, "-lco", "FID="+dumpFID, "-lco", "SRID=0")
}

// eachDumped runs ogr2ogr (dumpArgs) and calls fn with each feature in turn, numbered
// from 0; an error from fn stops the read. The feature is reused between calls. A
// failing ogr2ogr is an InputError with GDAL's own message.
func eachDumped(ctx context.Context, src *source, openOpts []string, layer string, fn func(n int, f *rawFeature) error) error {
	cmd := exec.CommandContext(ctx, "ogr2ogr", dumpArgs(src, openOpts, layer)...)
	cmd.Env = src.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	r := bufio.NewReaderSize(out, 1<<20)
	f := &rawFeature{Props: map[string]string{}}
	var cols []string // the COPY's columns, while inside one
	n := 0
	for {
		line, rerr := r.ReadSlice('\n')
		if errors.Is(rerr, bufio.ErrBufferFull) {
			// A feature longer than the buffer: read the rest of the line.
			long := append([]byte(nil), line...)
			for errors.Is(rerr, bufio.ErrBufferFull) {
				line, rerr = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		switch {
		case cols == nil:
			if bytes.HasPrefix(line, []byte("COPY ")) {
				if cols, err = copyColumns(string(line)); err != nil {
					return err
				}
			}
		case string(line) == `\.`:
			cols = nil
		case len(line) > 0 || rerr == nil:
			if err := f.parse(line, cols); err != nil {
				return fmt.Errorf("reading ogr2ogr output at feature %d: %w", n, err)
			}
			if err := fn(n, f); err != nil {
				return err
			}
			n++
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := cmd.Wait(); err != nil {
		return &InputError{"读取文件失败", "ogr2ogr could not read the file: " + gdalMessage(stderr.String(), err)}
	}
	return nil
}

// copyColumns reads the column names of `COPY "public"."landreg" ("a", "b") FROM STDIN;`.
func copyColumns(line string) ([]string, error) {
	const head = `COPY "public"."landreg" (`
	if !strings.HasPrefix(line, head) || !strings.HasSuffix(line, ") FROM STDIN;") {
		return nil, fmt.Errorf("unexpected ogr2ogr output: %.200q", line)
	}
	s := strings.TrimSuffix(strings.TrimPrefix(line, head), ") FROM STDIN;")
	var cols []string
	for len(s) > 0 {
		if s[0] != '"' {
			return nil, fmt.Errorf("unexpected column list in ogr2ogr output: %.200q", line)
		}
		var b strings.Builder
		i := 1
		for ; i < len(s); i++ {
			if s[i] == '"' {
				if i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, fmt.Errorf("unterminated column name in ogr2ogr output: %.200q", line)
		}
		cols = append(cols, b.String())
		s = strings.TrimPrefix(s[i+1:], ", ")
	}
	return cols, nil
}

// parse fills f from one line of COPY text data.
func (f *rawFeature) parse(line []byte, cols []string) error {
	clear(f.Props)
	f.ID, f.EWKB = "", nil
	for i := 0; ; i++ {
		cell, rest, more := bytes.Cut(line, []byte{'\t'})
		if i >= len(cols) {
			return fmt.Errorf("%d values for %d columns", i+1, len(cols))
		}
		if !(len(cell) == 2 && cell[0] == '\\' && cell[1] == 'N') { // \N is NULL
			switch v := unescapeCopy(cell); cols[i] {
			case dumpGeom:
				b, err := hex.DecodeString(v)
				if err != nil {
					return fmt.Errorf("geometry is not hex EWKB: %w", err)
				}
				f.EWKB = b
			case dumpFID:
				f.ID = v
			default:
				f.Props[cols[i]] = v
			}
		}
		if !more {
			if i+1 != len(cols) {
				return fmt.Errorf("%d values for %d columns", i+1, len(cols))
			}
			return nil
		}
		line = rest
	}
}

// unescapeCopy decodes COPY text escapes (\\ \t \n \r \b \f \v, octal \ooo, \xhh).
func unescapeCopy(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 == len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch c = b[i]; c {
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'v':
			out = append(out, '\v')
		case 'x':
			v, k := 0, 0
			for ; k < 2 && i+1 < len(b) && isHex(b[i+1]); k++ {
				i++
				v = v*16 + hexVal(b[i])
			}
			if k == 0 {
				out = append(out, 'x')
			} else {
				out = append(out, byte(v))
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 1; k < 3 && i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(b[i]-'0')
			}
			out = append(out, byte(v))
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}
