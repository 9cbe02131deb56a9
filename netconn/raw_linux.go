package netconn

import (
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"unsafe"
)

// conn is a TCP or Unix connection whose reads and writes are raw system calls.
// The callbacks given to the RawConn are made once per connection, with their
// arguments in fields guarded by a mutex per direction, so a request allocates nothing.
type conn struct {
	net.Conn
	rc syscall.RawConn

	rmu    sync.Mutex
	rbuf   []byte
	rn     int
	rerr   syscall.Errno
	readFn func(fd uintptr) bool

	wmu     sync.Mutex
	wbuf    []byte
	wdone   int
	werr    syscall.Errno
	writeFn func(fd uintptr) bool
}

// Wrap returns c with raw-syscall reads and writes, or c itself when it is not a
// socket the runtime polls (a TLS connection, a pipe in a test). The net package puts
// every socket it makes in non-blocking mode, which is what makes a raw call safe: it
// returns EAGAIN instead of holding the thread.
func Wrap(c net.Conn) net.Conn {
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return c
	}
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return c
	}
	w := &conn{Conn: c, rc: rc}
	w.readFn = w.read
	w.writeFn = w.write
	return w
}

// read runs inside RawConn.Read: false asks the poller to wait for readability.
func (c *conn) read(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.rn, c.rerr = int(n), e
		return true
	}
}

func (c *conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	c.rbuf, c.rn, c.rerr = p, 0, 0
	waitErr := c.rc.Read(c.readFn)
	c.rbuf = nil
	if err := c.result("read", waitErr, c.rerr); err != nil {
		return 0, err
	}
	if c.rn == 0 {
		return 0, io.EOF
	}
	return c.rn, nil
}

// write runs inside RawConn.Write until p is sent or the socket buffer is full.
func (c *conn) write(fd uintptr) bool {
	for c.wdone < len(c.wbuf) {
		p := c.wbuf[c.wdone:]
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		switch e {
		case 0:
			c.wdone += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			c.werr = e
			return true
		}
	}
	return true
}

func (c *conn) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf, c.wdone, c.werr = p, 0, 0
	waitErr := c.rc.Write(c.writeFn)
	c.wbuf = nil
	return c.wdone, c.result("write", waitErr, c.werr)
}

// result is the error of a read or write: the poller's (deadline passed, connection
// closed) or the system call's.
func (c *conn) result(op string, waitErr error, errno syscall.Errno) error {
	switch {
	case waitErr != nil:
		return c.opError(op, waitErr)
	case errno != 0:
		return c.opError(op, errno)
	}
	return nil
}

// opError dresses errors as the net package does, so callers that test for
// timeouts (net.Error) or closed connections (net.ErrClosed) see the same errors.
func (c *conn) opError(op string, err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) { // the RawConn's own "raw-read" wrapping
		err = oe.Err
	}
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// ReadFrom keeps the plain connection's sendfile/splice path (net/http serving files).
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c}, r)
}

// CloseWrite lets net/http send a FIN before closing, as on a plain TCP connection.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
