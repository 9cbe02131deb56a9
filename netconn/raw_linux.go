//go:build !race && !msan && !asan

// The race, memory and address sanitizers learn about socket I/O from the standard
// library's syscall.Read and syscall.Write (which connect a write to the read that
// sees its bytes); raw calls would hide that and report false races, so those builds
// use the plain connection (raw_plain.go).

package netconn

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// Raw tells whether this build reads and writes sockets with raw system calls.
const Raw = true

// conn is a TCP or Unix stream connection whose reads and writes are raw system calls.
// The callbacks given to the RawConn are made once per connection, with their
// arguments in fields guarded by a mutex per direction, so a request allocates nothing.
type conn struct {
	net.Conn
	rc      syscall.RawConn
	network string

	rmu    sync.Mutex
	rbuf   []byte
	rn     int
	rerr   error
	readFn func(fd uintptr) bool

	wmu     sync.Mutex
	wbuf    []byte
	wdone   int
	werr    error
	writeFn func(fd uintptr) bool
}

// errInvalidResult is a system call that returned a count it cannot have (the
// standard library panics there; a server should rather drop the connection).
var errInvalidResult = errors.New("invalid result from a socket system call")

// Wrap returns c with raw-syscall reads and writes, or c itself when it is anything
// else than a non-blocking stream socket the runtime polls (a TLS connection, a pipe
// in a test, a datagram socket). Non-blocking is what makes a raw call safe: it returns
// EAGAIN instead of holding the thread. The net package makes every socket it creates
// non-blocking; calling File().Fd() on a connection would make it blocking again, so
// nothing may do that to a wrapped connection.
func Wrap(c net.Conn) net.Conn {
	var network string
	switch c.(type) {
	case *net.TCPConn:
		network = "tcp"
	case *net.UnixConn:
		network = "unix"
	default:
		return c
	}
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return c
	}
	ok := false
	rc.Control(func(fd uintptr) {
		flags, _, e1 := syscall.RawSyscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		typ, e2 := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TYPE)
		ok = e1 == 0 && e2 == nil && flags&syscall.O_NONBLOCK != 0 && typ == syscall.SOCK_STREAM
	})
	if !ok {
		return c
	}
	w := &conn{Conn: c, rc: rc, network: network}
	w.readFn = w.read
	w.writeFn = w.write
	return w
}

// unwrap returns the plain connection under a wrapped one.
func unwrap(c net.Conn) net.Conn {
	if w, ok := c.(*conn); ok {
		return w.Conn
	}
	return c
}

// read runs inside RawConn.Read: false asks the poller to wait for readability.
func (c *conn) read(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)))
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			return false
		case e != 0:
			c.rerr = os.NewSyscallError("read", e)
		case int(n) > len(c.rbuf):
			c.rerr = errInvalidResult
		default:
			c.rn = int(n)
		}
		return true
	}
}

func (c *conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if len(p) == 0 {
		// Like the plain connection: nothing to read, but a closed one says so.
		return 0, c.result("read", c.rc.Read(noop), nil)
	}
	c.rbuf, c.rn, c.rerr = p, 0, nil
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
		switch {
		case e == syscall.EINTR:
		case e == syscall.EAGAIN:
			return false
		case e != 0:
			c.werr = os.NewSyscallError("write", e)
			return true
		case n == 0:
			c.werr = io.ErrUnexpectedEOF // as the standard library reports it
			return true
		case int(n) > len(p):
			c.werr = errInvalidResult
			return true
		default:
			c.wdone += int(n)
		}
	}
	return true
}

func (c *conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if len(p) == 0 {
		return 0, c.result("write", c.rc.Write(noop), nil)
	}
	c.wbuf, c.wdone, c.werr = p, 0, nil
	waitErr := c.rc.Write(c.writeFn)
	c.wbuf = nil
	return c.wdone, c.result("write", waitErr, c.werr)
}

// noop checks the connection's state (closed, deadline) without any I/O.
func noop(uintptr) bool { return true }

// result is the error of a read or write: the poller's (deadline passed, connection
// closed) or the system call's, dressed as the net package dresses them, so callers
// that test for timeouts (net.Error), closed connections (net.ErrClosed) or errnos
// (errors.Is, *os.SyscallError) see the same errors.
func (c *conn) result(op string, waitErr, callErr error) error {
	err := waitErr
	if err == nil {
		err = callErr
	}
	if err == nil {
		return nil
	}
	var oe *net.OpError
	if errors.As(err, &oe) { // the RawConn's own "raw-read" wrapping
		err = oe.Err
	}
	return &net.OpError{Op: op, Net: c.network, Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
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
