package cluster

import "syscall"

// procAttr puts an instance in its own process group, so a Ctrl-C in the
// terminal reaches the cluster command, which stops the instances in
// order; and kills it when the command dies without stopping it (a test
// binary killed at its timeout), so no instance outlives its run.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
