package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/landreg/landreg/dbtest"
)

// TestServeRemovesStaleUploads: serve starts by removing what earlier runs left in the
// temp folder from uploads (an import's folder, Go's multipart spool files) once they
// are an hour old, and nothing else.
func TestServeRemovesStaleUploads(t *testing.T) {
	bin := buildBinary(t)
	url := dbtest.URL(t, dbtest.NewDatabase(t))
	tmp := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, dir bool, mtime time.Time) string {
		p := filepath.Join(tmp, name)
		if dir {
			os.Mkdir(p, 0o700)
			os.WriteFile(filepath.Join(p, "upload.gpkg"), []byte("x"), 0o600)
		} else {
			os.WriteFile(p, []byte("x"), 0o600)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return name
	}
	gone := []string{mk("landreg-import-123", true, old), mk("multipart-456", false, old)}
	kept := []string{mk("landreg-import-789", true, time.Now()), mk("multipart-new", false, time.Now()), mk("other-old", false, old)}

	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--no-fixtures")
	cmd.Env = cleanEnv("DATABASE_URL="+url, "TMPDIR="+tmp)
	stdout, _ := cmd.StdoutPipe()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	up := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if regexp.MustCompile(`listening on http://`).MatchString(sc.Text()) {
			up = true
			break
		}
	}
	if !up {
		t.Fatalf("serve did not come up; stderr:\n%s", stderr.String())
	}
	for _, n := range gone {
		if _, err := os.Lstat(filepath.Join(tmp, n)); err == nil {
			t.Errorf("%s is still there", n)
		}
	}
	for _, n := range kept {
		if _, err := os.Lstat(filepath.Join(tmp, n)); err != nil {
			t.Errorf("%s was removed", n)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"256MiB": 256 << 20, "256M": 256 << 20, "1GiB": 1 << 30, "1g": 1 << 30, "64KB": 64 << 10, "1048576": 1 << 20} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1M", "MiB", "12T", "1.5G", "9999999999G"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}
