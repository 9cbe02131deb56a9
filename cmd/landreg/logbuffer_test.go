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

func TestLogBufferAfterCloseAndAfterAFailedWrite(t *testing.T) {
	out := &syncBuffer{}
	b := newLogBuffer(out, 1<<16, time.Hour)
	b.Write([]byte("before\n"))
	b.Close()
	b.Close() // twice: no panic
	b.Write([]byte("after\n"))
	if got := out.String(); got != "before\nafter\n" {
		t.Fatalf("got %q: a line written after Close was lost", got)
	}

	fw := &failOnce{}
	b = newLogBuffer(fw, 8, time.Hour)
	b.Write([]byte("0123456789\n")) // larger than the buffer: written through, fails
	b.Write([]byte("next\n"))
	b.Close()
	if got := fw.String(); got != "next\n" {
		t.Fatalf("got %q: one failed write silenced the log", got)
	}
}

// failOnce fails its first write, then records.
type failOnce struct {
	syncBuffer
	failed bool
}

func (f *failOnce) Write(p []byte) (int, error) {
	if !f.failed {
		f.failed = true
		return 0, fmt.Errorf("disk full")
	}
	return f.syncBuffer.Write(p)
}
