package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles landreg once for the end-to-end tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "landreg-bin-"); built.err != nil {
			return
		}
		bin := filepath.Join(built.dir, "landreg")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		built.bin = bin
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// built is the binary buildBinary made, in a folder TestMain removes.
var built struct {
	once     sync.Once
	dir, bin string
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// cleanEnv is the environment without database settings, so the child uses what the test says.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DATABASE_URL=") || strings.HasPrefix(kv, "LANDREG_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func TestWrongDatabaseURLIsOneLineAndExit1(t *testing.T) {
	bin := buildBinary(t)
	for _, u := range []string{"postgres://nobody@127.0.0.1:1/nothing?connect_timeout=3", "not a url ::"} {
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
		cmd.Env = cleanEnv("DATABASE_URL=" + u)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%q: exit %v, want code 1", u, err)
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "landreg: ") {
			t.Errorf("%q: stderr should be one line starting with 'landreg: ', got:\n%s", u, stderr.String())
		}
	}
}

// TestServeEmbeddedDefault runs `landreg serve` on an empty data folder: it must create
// a private cluster, migrate, load the demo, answer /readyz, and on SIGTERM stop the
// cluster it started.
func TestServeEmbeddedDefault(t *testing.T) {
	bin := buildBinary(t)
	dir, err := os.MkdirTemp("", "landreg-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // reachable by the postgres user when tests run as root
	// Like the default ./data/pg: a cluster folder under a folder that does not exist yet.
	pg := filepath.Join(dir, "data", "pg")
	t.Cleanup(func() {
		exec.Command(bin, "db", "stop", "--data-dir", pg).Run()
		os.RemoveAll(dir)
	})
	cmd := exec.Command(bin, "serve", "--data-dir", pg, "--addr", "127.0.0.1:0")
	cmd.Env = cleanEnv()
	stdout, _ := cmd.StdoutPipe()
	stderr := &syncBuffer{} // written by the process while the test reads it
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	base := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				base <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var url string
	select {
	case url = <-base:
	case <-time.After(3 * time.Minute):
		t.Fatalf("serve did not come up; stderr:\n%s", stderr.String())
	}

	res, err := http.Get(url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("/readyz: %v %v", err, res)
	}
	res.Body.Close()
	res, err = http.Get(url + "/collections/parcels/items?limit=5")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	json.NewDecoder(res.Body).Decode(&fc)
	res.Body.Close()
	if len(fc.Features) != 5 {
		t.Errorf("parcels?limit=5 returned %d features", len(fc.Features))
	}
	// The server batches its log lines (at most 200 ms late): wait for the access line.
	logged := func() bool {
		return strings.Contains(stderr.String(), `"request_id"`) && strings.Contains(stderr.String(), `"latency_ms"`)
	}
	for deadline := time.Now().Add(5 * time.Second); !logged() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !logged() {
		t.Errorf("access log lacks request id or latency:\n%s", stderr.String())
	}
	checkPrivateClusterRoles(t, pg) // roles_test.go

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(pg, "postmaster.pid")); err == nil {
		t.Error("the private cluster is still running after serve stopped")
	}
	if _, err := os.Stat(filepath.Join(pg, "PG_VERSION")); err != nil {
		t.Error("the data folder holds no cluster")
	}
}
