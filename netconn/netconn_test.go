package netconn

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// pair returns two connected sockets of the network, both wrapped.
func pair(t *testing.T, network string) (a, b net.Conn) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := Listener(ln).Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	c, err := net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a, b = Wrap(c), <-accepted
	if Raw && (plain(a) || plain(b)) {
		t.Fatalf("%s connections not wrapped: %T, %T", network, a, b)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// plain tells an unwrapped socket connection.
func plain(c net.Conn) bool {
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
		return true
	}
	return false
}

func TestConn(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network+"/large transfer with a slow reader", func(t *testing.T) {
			a, b := pair(t, network)
			// 8 MiB is far more than the socket buffers: the writer must wait for
			// writability (EAGAIN) many times and resume where it stopped.
			want := make([]byte, 8<<20)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range want {
				want[i] = byte(r.Uint32())
			}
			errc := make(chan error, 1)
			go func() {
				n, err := a.Write(want)
				if err == nil && n != len(want) {
					err = io.ErrShortWrite
				}
				errc <- err
				a.Close()
			}()
			var got bytes.Buffer
			buf := make([]byte, 1000) // odd small reads
			for {
				n, err := b.Read(buf)
				got.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.Len()%(1<<20) < 1000 {
					time.Sleep(time.Millisecond)
				}
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("received %d bytes differing from the %d sent", got.Len(), len(want))
			}
		})
		t.Run(network+"/read deadline is a timeout", func(t *testing.T) {
			a, b := pair(t, network)
			b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			n, err := b.Read(make([]byte, 10))
			var ne net.Error
			if n != 0 || !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read past deadline: n=%d err=%v", n, err)
			}
			// The connection stays usable once the deadline is lifted.
			b.SetReadDeadline(time.Time{})
			if _, err := a.Write([]byte("after")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 10)
			if n, err := b.Read(buf); err != nil || string(buf[:n]) != "after" {
				t.Fatalf("read after the deadline was lifted: %q, %v", buf[:n], err)
			}
		})
		t.Run(network+"/deadline set while a read waits", func(t *testing.T) {
			_, b := pair(t, network)
			// What net/http and pgx do to interrupt a read.
			interruptRead(t, b, func() { b.SetReadDeadline(time.Now()) }, os.ErrDeadlineExceeded)
		})
		t.Run(network+"/write deadline with a peer that does not read", func(t *testing.T) {
			a, _ := pair(t, network)
			a.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
			p := make([]byte, 64<<20)
			n, err := a.Write(p)
			var ne net.Error
			if n >= len(p) || !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("write to a full socket past its deadline: n=%d err=%v", n, err)
			}
		})
		t.Run(network+"/close unblocks a waiting read", func(t *testing.T) {
			_, b := pair(t, network)
			interruptRead(t, b, func() { b.Close() }, net.ErrClosed)
		})
		t.Run(network+"/write to a closed peer fails", func(t *testing.T) {
			a, b := pair(t, network)
			b.Close()
			var err error
			for i := 0; i < 100 && err == nil; i++ { // the first writes may still be buffered
				_, err = a.Write(make([]byte, 64<<10))
				time.Sleep(time.Millisecond)
			}
			if err == nil {
				t.Fatal("writes to a closed peer kept succeeding")
			}
		})
		t.Run(network+"/empty buffers", func(t *testing.T) {
			a, b := pair(t, network)
			if n, err := a.Write(nil); n != 0 || err != nil {
				t.Fatalf("empty write: %d, %v", n, err)
			}
			if n, err := b.Read(nil); n != 0 || err != nil {
				t.Fatalf("empty read: %d, %v", n, err)
			}
			b.Close()
			if _, err := b.Read(nil); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("empty read on a closed connection: %v", err)
			}
		})
	}
}

// A reset by the peer reads as the plain connection reports it: an *os.SyscallError
// holding ECONNRESET inside a *net.OpError.
func TestConnResetError(t *testing.T) {
	a, b := pair(t, "tcp")
	unwrap(b).(*net.TCPConn).SetLinger(0) // close with RST
	b.Close()
	_, err := a.Read(make([]byte, 10))
	var se *os.SyscallError
	var oe *net.OpError
	if !errors.Is(err, syscall.ECONNRESET) || !errors.As(err, &se) || !errors.As(err, &oe) || oe.Op != "read" {
		t.Fatalf("read after a reset: %#v", err)
	}
}

func TestWrapLeavesOtherConnections(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if Wrap(a) != a {
		t.Fatal("an in-memory pipe has no socket to read raw; Wrap must return it as it is")
	}

	// A datagram socket: a zero-length datagram is not the end of a stream.
	dir := t.TempDir()
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "g"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if Wrap(ln) != net.Conn(ln) {
		t.Fatal("a datagram socket must not be wrapped")
	}

	// A socket made blocking (File().Fd() does that to the shared file description):
	// a raw read on it would hold the thread and its processor.
	c := unwrap(first(pair(t, "tcp")))
	f, err := c.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Fd()
	if Wrap(c) != c {
		t.Fatal("a blocking socket must not be wrapped")
	}
}

func first(a, _ net.Conn) net.Conn { return a }

// interruptRead starts a read on c that waits for data, calls interrupt and expects
// the read to end with an error that is want.
func interruptRead(t *testing.T, c net.Conn, interrupt func(), want error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 10))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	interrupt()
	select {
	case err := <-errc:
		if !errors.Is(err, want) {
			t.Fatalf("interrupted read: %v, want %v", err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read still waiting after the interruption")
	}
}
