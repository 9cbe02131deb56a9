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
	var long []byte
	n := 0
	for {
		line, rerr := r.ReadSlice('\n')
		// A row goes on past a newline that is escaped (GDAL writes a backslash before
		// a newline, tab or backslash of a text) or past the reader's buffer.
		for rerr == nil && cols != nil && escapedNewline(line) || errors.Is(rerr, bufio.ErrBufferFull) {
			long = append(long[:0:0], line...)
			for {
				line, rerr = r.ReadSlice('\n')
				long = append(long, line...)
				if !(rerr == nil && escapedNewline(long) || errors.Is(rerr, bufio.ErrBufferFull)) {
					break
				}
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

// escapedNewline reports whether line (ending in a newline) ends in an odd number of
// backslashes before it: the newline is data.
func escapedNewline(line []byte) bool {
	k := 0
	for i := len(line) - 2; i >= 0 && line[i] == '\\'; i-- {
		k++
	}
	return k%2 == 1
}

// parse fills f from one row of COPY text data: fields separated by tabs that are not
// escaped, \N for NULL, backslash escapes (\t \n \r \b \f \v, octal, \xhh, and a
// backslash before any other character, a tab or a newline included, for that character).
func (f *rawFeature) parse(line []byte, cols []string) error {
	clear(f.Props)
	f.ID, f.EWKB = "", nil
	cell := make([]byte, 0, 64)
	i, col := 0, 0
	for {
		cell = cell[:0]
		null := len(line)-i >= 2 && line[i] == '\\' && line[i+1] == 'N' && (len(line)-i == 2 || line[i+2] == '\t')
		if null {
			i += 2
		}
		for !null && i < len(line) && line[i] != '\t' {
			c := line[i]
			i++
			if c != '\\' || i == len(line) {
				cell = append(cell, c)
				continue
			}
			c = line[i]
			i++
			switch c {
			case 't':
				cell = append(cell, '\t')
			case 'n':
				cell = append(cell, '\n')
			case 'r':
				cell = append(cell, '\r')
			case 'b':
				cell = append(cell, '\b')
			case 'f':
				cell = append(cell, '\f')
			case 'v':
				cell = append(cell, '\v')
			case 'x':
				v, k := 0, 0
				for ; k < 2 && i < len(line) && isHex(line[i]); k++ {
					v = v*16 + hexVal(line[i])
					i++
				}
				if k == 0 {
					cell = append(cell, 'x')
				} else {
					cell = append(cell, byte(v))
				}
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(c - '0')
				for k := 1; k < 3 && i < len(line) && line[i] >= '0' && line[i] <= '7'; k++ {
					v = v*8 + int(line[i]-'0')
					i++
				}
				cell = append(cell, byte(v))
			default:
				cell = append(cell, c)
			}
		}
		if col >= len(cols) {
			return fmt.Errorf("more values than the %d columns", len(cols))
		}
		if !null {
			switch cols[col] {
			case dumpGeom:
				b := make([]byte, hex.DecodedLen(len(cell)))
				if _, err := hex.Decode(b, cell); err != nil {
					return fmt.Errorf("geometry is not hex EWKB: %w", err)
				}
				f.EWKB = b
			case dumpFID:
				f.ID = string(cell)
			default:
				f.Props[cols[col]] = string(cell)
			}
		}
		col++
		if i >= len(line) {
			break
		}
		i++ // the tab
	}
	if col != len(cols) {
		return fmt.Errorf("%d values for %d columns", col, len(cols))
	}
	return nil
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
