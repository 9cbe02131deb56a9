package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/landreg/landreg/codes"
)

// startServe runs `landreg serve` with args and env and returns its base URL.
func startServe(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stdout, _ := cmd.StdoutPipe()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
	})
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
	select {
	case u := <-base:
		return u
	case <-time.After(3 * time.Minute):
		t.Fatalf("serve did not come up; stderr:\n%s", stderr.String())
	}
	return ""
}

type answer struct {
	status int
	db     string
	body   map[string]any
}

func call(t *testing.T, method, url, token string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Landreg-Reason", "replica test")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	a := answer{status: res.StatusCode, db: res.Header.Get("X-Landreg-Database")}
	json.NewDecoder(res.Body).Decode(&a.body)
	return a
}

// readyDatabases is /readyz's list of databases, by name.
func readyDatabases(t *testing.T, base string) map[string]map[string]any {
	a := call(t, "GET", base+"/readyz", "", nil)
	out := map[string]map[string]any{}
	list, _ := a.body["databases"].([]any)
	for _, d := range list {
		m := d.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeReadsOnStandby runs a private primary, a streaming standby of it (landreg db
// standby) and servers on them: reads are answered by the standby, a writer reads its
// own writes at once, a server given only the standby answers writes 503 read-only, and
// with the standby stopped the reads are answered by the primary.
func TestServeReadsOnStandby(t *testing.T) {
	bin := buildBinary(t)
	dir, err := os.MkdirTemp("", "landreg-rep-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	primary, standby := filepath.Join(dir, "p"), filepath.Join(dir, "s")
	t.Cleanup(func() {
		exec.Command(bin, "db", "stop", "--data-dir", standby).Run()
		exec.Command(bin, "db", "stop", "--data-dir", primary).Run()
		os.RemoveAll(dir)
	})
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("landreg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	run("db", "start", "--fast", "--data-dir", primary)
	standbyURL := run("db", "standby", "--fast", "--data-dir", standby, "--primary-data-dir", primary)
	if got := run("db", "url", "--data-dir", standby); got != standbyURL {
		t.Errorf("db url on the standby = %q, db standby printed %q", got, standbyURL)
	}
	base := startServe(t, bin, cleanEnv(), "--data-dir", primary, "--read-database-url", standbyURL)
	token := run("token", "create", "--data-dir", primary, "--role", "registrar", "--name", "registrar-replica")

	waitFor(t, "the standby to answer reads", 30*time.Second, func() bool {
		return readyDatabases(t, base)["read-1"]["reads"] == true
	})
	dbs := readyDatabases(t, base)
	if dbs["primary"]["role"] != "primary" || dbs["read-1"]["role"] != "standby" || dbs["read-1"]["replay_lag_ms"] == nil {
		t.Errorf("/readyz databases: %v", dbs)
	}

	t.Run("routing", func(t *testing.T) {
		for _, path := range []string{"/collections/parcels/items?limit=3", "/v1/enterprises", "/tiles/parcels/14/13701/6818"} {
			if a := call(t, "GET", base+path, "", nil); (a.status != 200 && a.status != 204) || a.db != "standby" {
				t.Errorf("GET %s: %d from %q, want 200 from the standby", path, a.status, a.db)
			}
		}
		if a := call(t, "GET", base+"/readyz", "", nil); a.db != "primary" {
			t.Errorf("/readyz answered by %q", a.db)
		}
	})

	t.Run("read your writes", func(t *testing.T) {
		fromPrimary := 0
		for i := 0; i < 10; i++ {
			c, err := codes.USCCCheck(fmt.Sprintf("91330304MA2RP%03dX", i))
			if err != nil {
				t.Fatal(err)
			}
			uscc := fmt.Sprintf("91330304MA2RP%03dX", i) + string(c)
			if a := call(t, "POST", base+"/v1/enterprises", token, map[string]any{"uscc": uscc, "name": "复制测试企业" + uscc}); a.status != 201 || a.db != "primary" {
				t.Fatalf("POST: %d from %q: %v", a.status, a.db, a.body)
			}
			a := call(t, "GET", base+"/v1/enterprises/"+uscc, token, nil)
			if a.status != 200 || a.body["uscc"] != uscc {
				t.Fatalf("the writer's read just after its write: %d from %q: %v", a.status, a.db, a.body)
			}
			if a.db == "primary" {
				fromPrimary++
			}
			// Another caller's reads are not held on the primary by this write.
			if b := call(t, "GET", base+"/collections/parcels/items?limit=1", "", nil); b.db != "standby" {
				t.Errorf("an anonymous read after the registrar's write was answered by %q", b.db)
			}
		}
		if fromPrimary == 0 {
			t.Error("no read right after a write went to the primary: the standby was never behind?")
		}
		// Once the standby has replayed the writes, the writer's reads go to it again.
		waitFor(t, "the writer's reads to return to the standby", 10*time.Second, func() bool {
			return call(t, "GET", base+"/v1/enterprises", token, nil).db == "standby"
		})
	})

	t.Run("server on a standby alone", func(t *testing.T) {
		ro := startServe(t, bin, cleanEnv("DATABASE_URL="+standbyURL))
		if a := call(t, "GET", ro+"/collections/parcels/items?limit=2", "", nil); a.status != 200 || a.db != "standby" {
			t.Errorf("read on the standby-only server: %d from %q", a.status, a.db)
		}
		a := call(t, "POST", ro+"/v1/enterprises", token, map[string]any{"uscc": "91330304MA2RPZZZ00", "name": "x"})
		if a.status != 503 || a.body["type"] != "urn:landreg:problem:read-only" ||
			!strings.Contains(fmt.Sprint(a.body["detail"]), "只读") || !strings.Contains(fmt.Sprint(a.body["detail"]), "read-only") {
			t.Errorf("write on the standby-only server: %d %v", a.status, a.body)
		}
		if dbs := readyDatabases(t, ro); dbs["primary"]["role"] != "standby" {
			t.Errorf("/readyz of the standby-only server: %v", dbs)
		}
	})

	t.Run("standby down", func(t *testing.T) {
		run("db", "stop", "--data-dir", standby)
		waitFor(t, "/readyz to see the standby down", 10*time.Second, func() bool {
			return readyDatabases(t, base)["read-1"]["up"] == false
		})
		for i := 0; i < 5; i++ {
			if a := call(t, "GET", base+"/collections/parcels/items?limit=3", "", nil); a.status != 200 || a.db != "primary" {
				t.Errorf("read with the standby down: %d from %q", a.status, a.db)
			}
		}
		if a := call(t, "GET", base+"/readyz", "", nil); a.status != 200 {
			t.Errorf("/readyz with a standby down: %d %v", a.status, a.body)
		}
	})
}
