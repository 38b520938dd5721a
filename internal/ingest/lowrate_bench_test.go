package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// BenchmarkIngestCPUPerMessage compares the CPU one stored message costs
// at a trickle (40 messages/s, paced, for 10 s) with its cost at full load
// (5,000 messages published at once). The CPU counted is this process's
// (the consumer, and on the embedded defaults SQLite and NATS too) plus,
// on PostgreSQL + external NATS, every postgres and nats-server process of
// the machine: run it on a quiet machine, other work on the same servers
// counts too. Reports cpu-ms/msg at each rate and their ratio (target:
// within 2×, and at most 2 ms per message at 40/s).
func BenchmarkIngestCPUPerMessage(b *testing.B) {
	const (
		rate     = 40
		trickle  = 10 * time.Second
		fullLoad = 5000
	)
	for b.Loop() {
		e := newEnv(b)
		for range 5 {
			e.agent("kartu", 1000)
			e.agent("umum", 1000)
		}
		c := e.consumer(Opts{Log: discardLog(), MaxWait: DefaultMaxWait})
		e.start(c)
		envs := workload(rate*int(trickle/time.Second) + fullLoad)
		for i := range envs {
			envs[i].ProviderMessageID = fmt.Sprintf("cpu-%d", i)
		}
		slow, fast := envs[:rate*int(trickle/time.Second)], envs[rate*int(trickle/time.Second):]
		time.Sleep(time.Second) // the consumer settles (first pull, caches)
		// What the process spends with nothing to do (the consumer's open
		// pull, in-process NATS and SQLite housekeeping): part of the cost
		// per message at a trickle.
		idle0 := selfCPU(b)
		time.Sleep(5 * time.Second)
		b.ReportMetric(float64(selfCPU(b)-idle0)/float64(time.Millisecond)/5, "idle-cpu-ms/s")

		cpu0, self0 := cpuNow(b, e), selfCPU(b)
		tick := time.NewTicker(time.Second / rate)
		for _, in := range slow {
			<-tick.C
			publishOne(b, e.b, in)
		}
		tick.Stop()
		waitStored(b, e, int64(len(slow)))
		cpu1, self1 := cpuNow(b, e), selfCPU(b)
		publishFast(b, e.b, fast)
		waitStored(b, e, int64(len(envs)))
		cpu2, self2 := cpuNow(b, e), selfCPU(b)

		lowMS := float64(cpu1-cpu0) / float64(time.Millisecond) / float64(len(slow))
		fullMS := float64(cpu2-cpu1) / float64(time.Millisecond) / float64(len(fast))
		b.ReportMetric(lowMS, "cpu-ms/msg@40/s")
		b.ReportMetric(fullMS, "cpu-ms/msg@full")
		b.ReportMetric(lowMS/fullMS, "low/full")
		if e.dbCfg.URL != "" {
			// The consumer's own share, free of other work on the servers.
			selfLow := float64(self1-self0) / float64(time.Millisecond) / float64(len(slow))
			selfFull := float64(self2-self1) / float64(time.Millisecond) / float64(len(fast))
			b.ReportMetric(selfLow, "self-cpu-ms/msg@40/s")
			b.ReportMetric(selfFull, "self-cpu-ms/msg@full")
		}
	}
}

func publishOne(b *testing.B, bb *bus.Bus, in envelope.Inbound) {
	b.Helper()
	data, err := jsonMarshal(in)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bb.JS.Publish(b.Context(), bb.Names.Inbound(in.Channel), data, jetstream.WithMsgID(bus.InboundMsgID(in.Channel, in.ProviderMessageID))); err != nil {
		b.Fatal(err)
	}
}

func publishFast(b *testing.B, bb *bus.Bus, envs []envelope.Inbound) {
	b.Helper()
	for _, in := range envs {
		data, err := jsonMarshal(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bb.JS.PublishAsync(bb.Names.Inbound(in.Channel), data, jetstream.WithMsgID(bus.InboundMsgID(in.Channel, in.ProviderMessageID))); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-bb.JS.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		b.Fatal("publishing did not complete")
	}
}

func waitStored(b *testing.B, e *env, n int64) {
	b.Helper()
	testenv.CheckFor(b, 5*time.Minute, 50*time.Millisecond, func() error {
		if got := e.count(`SELECT COUNT(*) FROM messages`); got < n {
			return fmt.Errorf("%d of %d messages stored", got, n)
		}
		return nil
	})
}

// cpuNow is the CPU time used so far by this process and, when the
// database or NATS is external, by the machine's postgres and nats-server
// processes.
func cpuNow(b *testing.B, e *env) time.Duration {
	b.Helper()
	total := selfCPU(b)
	if e.dbCfg.URL != "" || e.busCfg.URL != "" {
		total += processCPU(map[string]bool{"postgres": e.dbCfg.URL != "", "nats-server": e.busCfg.URL != ""})
	}
	return total
}

// selfCPU is the CPU time this process has used.
func selfCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU sums user and system time of the processes with these
// command names (Linux /proc; 0 elsewhere).
func processCPU(names map[string]bool) time.Duration {
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range dirs {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(raw)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || !names[s[open+1:end]] {
			continue
		}
		f := strings.Fields(s[end+1:])
		// After the name: state is field 3 of stat, utime 14 and stime 15.
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}
