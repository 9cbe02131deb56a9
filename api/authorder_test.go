package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/dbtest"
)

// countingBody records how much of a request body a handler read.
type countingBody struct{ n int }

func (b *countingBody) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '{'
	}
	b.n += len(p)
	return len(p), nil
}

func (b *countingBody) Close() error { return nil }

// TestWritesCheckTokenBeforeBody: every route that changes something answers a
// request without a token with 401 before reading a byte of its body, so nobody
// unknown can make the server read, parse or spool anything.
func TestWritesCheckTokenBeforeBody(t *testing.T) {
	s := New(Config{Version: "test"}, dbtest.New(t), zerolog.Nop())
	params := strings.NewReplacer(":collectionId", "parcels", ":featureId", "1", ":id", "1", ":code", "330304")
	n := 0
	for _, r := range s.echo.Routes() {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		n++
		body := &countingBody{}
		req := httptest.NewRequest(r.Method, params.Replace(r.Path), io.NopCloser(body))
		req.ContentLength = 1 << 20
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || body.n != 0 {
			t.Errorf("%s %s without a token: %d after reading %d bytes of the body", r.Method, r.Path, rec.Code, body.n)
		}
	}
	if n < 10 {
		t.Errorf("only %d write routes found", n)
	}
}
