// Package benchtable reads the output of `go test -bench` and prints the
// results of several runs (one per backend) as one table. cmd/benchrun
// uses it for `make bench`.
package benchtable

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Metric is one value a benchmark reported ("12.5 msgs/s").
type Metric struct {
	Value float64
	Unit  string
}

// Result is one benchmark line.
type Result struct {
	Pkg        string // import path, from the "pkg:" line before it
	Name       string // without the -GOMAXPROCS suffix
	Iterations int64
	Metrics    []Metric
}

// Failure is a benchmark or package that failed.
type Failure struct {
	Pkg  string
	Name string // empty: the package as a whole (build error, panic, FAIL line)
}

// Run is what one `go test -bench` output holds.
type Run struct {
	Results  []Result
	Failures []Failure
	Skipped  []Failure // benchmarks that skipped themselves
}

// Parse reads go test -bench output. It never fails: lines it does not
// know are passed over.
func Parse(r io.Reader) Run {
	var (
		run Run
		pkg string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
		case strings.HasPrefix(trimmed, "--- FAIL: Benchmark"):
			run.Failures = append(run.Failures, Failure{Pkg: pkg, Name: stripProcs(firstField(strings.TrimPrefix(trimmed, "--- FAIL: ")))})
		case strings.HasPrefix(trimmed, "--- SKIP: Benchmark"):
			run.Skipped = append(run.Skipped, Failure{Pkg: pkg, Name: stripProcs(firstField(strings.TrimPrefix(trimmed, "--- SKIP: ")))})
		case strings.HasPrefix(line, "FAIL\t") || strings.HasPrefix(line, "FAIL "):
			// "FAIL\tpkg\t12.3s" or "FAIL\tpkg [build failed]"
			f := strings.Fields(line)
			p := pkg
			if len(f) > 1 {
				p = f[1]
			}
			if !hasFailure(run.Failures, p) {
				run.Failures = append(run.Failures, Failure{Pkg: p})
			}
		case strings.HasPrefix(line, "Benchmark"):
			if res, ok := parseResult(line); ok {
				res.Pkg = pkg
				run.Results = append(run.Results, res)
			}
		}
	}
	return run
}

// hasFailure reports whether a failure of pkg (any benchmark) is known.
func hasFailure(fs []Failure, pkg string) bool {
	for _, f := range fs {
		if f.Pkg == pkg {
			return true
		}
	}
	return false
}

// parseResult reads "BenchmarkName-2  1  123 ns/op  4.5 msgs/s".
func parseResult(line string) (Result, bool) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return Result{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || n <= 0 {
		return Result{}, false
	}
	res := Result{Name: stripProcs(f[0]), Iterations: n}
	rest := f[2:]
	for len(rest) >= 2 {
		v, err := strconv.ParseFloat(rest[0], 64)
		if err != nil {
			return Result{}, false
		}
		res.Metrics = append(res.Metrics, Metric{Value: v, Unit: rest[1]})
		rest = rest[2:]
	}
	if len(rest) != 0 {
		return Result{}, false
	}
	return res, true
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// stripProcs drops the "-N" GOMAXPROCS suffix go test adds to a name.
func stripProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}
