//go:build unix

package api

import (
	"os"
	"syscall"
)

// ownedByMe tells whether this process's user owns fi.
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
