package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logBuffer batches the server's log lines: one write per flush instead of one per
// request (an access-log line per request was a write system call per request, a
// tenth of a small query's server time). Lines wait at most `every`; nothing is
// dropped: a full buffer is written out at once, and Close writes the rest.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newLogBuffer(out io.Writer, size int, every time.Duration) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(out, size), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.stop:
				b.flush()
				return
			}
		}
	}()
	return b
}

// Write takes one whole log line (zerolog writes each event in one call).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *logBuffer) flush() {
	b.mu.Lock()
	b.w.Flush()
	b.mu.Unlock()
}

// Close writes what is buffered and stops the flusher.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	return nil
}
