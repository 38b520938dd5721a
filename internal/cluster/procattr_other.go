//go:build unix && !linux

package cluster

import "syscall"

// procAttr puts an instance in its own process group, so a Ctrl-C in the
// terminal reaches the cluster command, which stops the instances in
// order. (Only Linux can also tie the instance's life to the command's.)
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
