//go:build !linux || race || msan || asan

package netconn

import "net"

// Raw tells whether this build reads and writes sockets with raw system calls: only
// on Linux, and not under the race, memory or address sanitizers (raw_linux.go says why).
const Raw = false

// Wrap returns c: this build uses the plain connection.
func Wrap(c net.Conn) net.Conn { return c }

func unwrap(c net.Conn) net.Conn { return c }
