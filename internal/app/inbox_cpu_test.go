package app_test

import (
	"time"

	"tanggap/internal/testenv"
)

// cpuMeter is the CPU a load phase costs: this process's (the server and
// its clients, getrusage) and, on Linux with a local PostgreSQL, that of
// the database backends serving this process's connections (read from
// /proc; other suites sharing the server are left out).
type cpuMeter struct {
	self time.Duration
	pg   map[int]time.Duration
}

func startCPU() cpuMeter {
	return cpuMeter{self: testenv.ProcessCPU(), pg: testenv.PostgresBackendsCPU()}
}

// since is the process and PostgreSQL CPU spent since m.
func (m cpuMeter) since() (self, pg time.Duration) {
	self = testenv.ProcessCPU() - m.self
	for pid, t := range testenv.PostgresBackendsCPU() {
		pg += t - m.pg[pid] // a backend born during the phase counts whole
	}
	return self, pg
}
