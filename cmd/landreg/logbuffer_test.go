package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the flusher writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestLogBufferKeepsEveryLineInOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int
		lines int
	}{{"fits", 1 << 16, 100}, {"overflows", 256, 1000}} {
		t.Run(tc.name, func(t *testing.T) {
			out := &syncBuffer{}
			b := newLogBuffer(out, tc.size, time.Hour)
			var want strings.Builder
			for i := 0; i < tc.lines; i++ {
				line := fmt.Sprintf("{\"n\":%d}\n", i)
				want.WriteString(line)
				b.Write([]byte(line))
			}
			b.Close()
			if got := out.String(); got != want.String() {
				t.Fatalf("got %d bytes, want %d", len(got), want.Len())
			}
		})
	}
}

func TestLogBufferFlushesOnTime(t *testing.T) {
	out := &syncBuffer{}
	b := newLogBuffer(out, 1<<16, 10*time.Millisecond)
	defer b.Close()
	b.Write([]byte("line\n"))
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "line\n" {
		if time.Now().After(deadline) {
			t.Fatal("a buffered line was not written within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
