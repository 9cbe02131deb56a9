//go:build !linux

package netconn

import "net"

// Wrap returns c: the raw-syscall path is written for Linux only.
func Wrap(c net.Conn) net.Conn { return c }
