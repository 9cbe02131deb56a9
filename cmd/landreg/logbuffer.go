package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logBuffer batches the server's log lines: one write per flush instead of one per
// request (an access-log line per request was a write system call per request, a
// tenth of a small query's server time). Lines wait at most `every`; a full buffer is
// written out at once; after Close every line is written straight through, so handlers
// still finishing during shutdown are not lost. A failed write (a full disk, a closed
// pipe) loses what was buffered then, not every later line.
type logBuffer struct {
	mu     sync.Mutex
	out    io.Writer
	w      *bufio.Writer
	closed bool
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

func newLogBuffer(out io.Writer, size int, every time.Duration) *logBuffer {
	b := &logBuffer{out: out, w: bufio.NewWriterSize(out, size), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.mu.Lock()
				b.flushLocked()
				b.mu.Unlock()
			case <-b.stop:
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
	if b.closed {
		return b.out.Write(p)
	}
	n, err := b.w.Write(p)
	if err != nil {
		// bufio keeps its first error for good: start afresh so later lines get out.
		b.w.Reset(b.out)
	}
	return n, err
}

func (b *logBuffer) flushLocked() {
	if err := b.w.Flush(); err != nil {
		b.w.Reset(b.out)
	}
}

// Close writes what is buffered, stops the flusher and lets later lines through
// unbuffered. It may be called more than once.
func (b *logBuffer) Close() error {
	b.once.Do(func() {
		close(b.stop)
		<-b.done
		b.mu.Lock()
		b.flushLocked()
		b.closed = true
		b.mu.Unlock()
	})
	return nil
}
