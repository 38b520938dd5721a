package db

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"time"
)

// TEMPORARY (ingest helper profiling) — remove.
var dbgMu sync.Mutex
var dbgT = map[string]time.Duration{}
var dbgN = map[string]int{}

func DbgRecord(q string, start time.Time) {
	if os.Getenv("INGEST_DEBUG") == "" {
		return
	}
	el := time.Since(start)
	if len(q) > 70 {
		q = q[:70]
	}
	dbgMu.Lock()
	dbgT[q] += el
	dbgN[q]++
	dbgMu.Unlock()
}

func DbgDump() {
	if os.Getenv("INGEST_DEBUG") == "" {
		return
	}
	dbgMu.Lock()
	defer dbgMu.Unlock()
	var ks []string
	for k := range dbgT {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return dbgT[ks[i]] > dbgT[ks[j]] })
	for _, k := range ks {
		fmt.Fprintf(os.Stderr, "%8.1fms %5d %s\n", float64(dbgT[k])/1e6, dbgN[k], k)
	}
}
