package cluster

import "syscall"

// procAttr: Windows has no process groups to set here; Stop falls back to
// killing the instance.
func procAttr() *syscall.SysProcAttr { return nil }
