package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
)

// eachFeature runs ogr2ogr with args (a layer streamed as GeoJSONSeq on stdout) and
// calls fn with each feature in turn, numbered from 0; an error from fn stops the read.
// A failing ogr2ogr is an InputError with GDAL's own message.
func eachFeature(ctx context.Context, src *source, args []string, fn func(n int, f *seqFeature) error) error {
	cmd := exec.CommandContext(ctx, "ogr2ogr", args...)
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
	for n := 0; ; {
		line, rerr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var f seqFeature
			dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(line, []byte{0x1e})))
			dec.UseNumber()
			if err := dec.Decode(&f); err != nil {
				return fmt.Errorf("reading ogr2ogr output at feature %d: %w", n, err)
			}
			if err := fn(n, &f); err != nil {
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

// seqArgs are ogr2ogr's arguments to stream a layer as GeoJSONSeq on stdout, with the
// coordinates left in the source CRS (12 decimals) and dates as text.
func seqArgs(src *source, openOpts []string, layer string) []string {
	args := append([]string{"-f", "GeoJSONSeq", "/vsistdout/"}, openOpts...)
	return append(args, src.path, layer, "-a_srs", "None", "-preserve_fid",
		"-mapFieldType", "Date=String,DateTime=String,Time=String", "-lco", "COORDINATE_PRECISION=12")
}
