// Package netconn holds the socket connections of the server's two hops — HTTP
// clients and PostgreSQL — wrapped so that their reads and writes do not hand the
// Go scheduler's processor to another thread.
//
// Why: the sockets are non-blocking, yet Go performs each read and write as a
// "blocking" system call. On a machine whose cores are shared with PostgreSQL, the
// thread writing a query is often preempted inside write() by the backend it just
// woke; after 20 µs the runtime's monitor thread hands the processor to another
// thread, which must be woken, and the first thread must win a processor back when
// it returns. On 2 cores that churn cost about a tenth of a small bbox request
// (measured in bench/README.md). A non-blocking read or write cannot block, so the
// wrapper issues it as a raw system call inside the runtime poller's wait loop
// (syscall.RawConn): deadlines, EAGAIN waits and Close behave exactly as for the
// plain connection.
package netconn

import (
	"context"
	"net"
)

// Listener wraps the connections ln accepts.
func Listener(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return Wrap(c), nil
}

// Dialer wraps the connections a dial function makes (pgx's DialFunc).
func Dialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return Wrap(c), nil
	}
}
