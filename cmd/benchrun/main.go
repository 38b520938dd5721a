// Command benchrun runs the benchmarks of the given packages on every
// backend (the embedded defaults, and PostgreSQL + external NATS when
// TEST_DATABASE_URL and TEST_NATS_URL are set), one package at a time so a
// failure stops nothing else, passes their output through, then prints
// one table of every result and exits 1 if any benchmark or package
// failed. `make bench` runs it.
//
//	go run ./cmd/benchrun ./internal/ingest/ ./channels/voice/
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"

	"tanggap/internal/benchtable"
)

func main() {
	bench := flag.String("bench", ".", "benchmarks to run (go test -bench)")
	benchtime := flag.String("benchtime", "1x", "go test -benchtime")
	timeout := flag.String("timeout", "60m", "go test -timeout, per package")
	flag.Parse()
	pkgs := flag.Args()
	if len(pkgs) == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchrun [-bench re] [-benchtime 1x] packages...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	type backend struct {
		name string
		env  []string
	}
	backends := []backend{{"embedded (SQLite + in-process NATS)", []string{"TEST_EMBEDDED_ONLY=1", "TEST_DATABASE_URL=", "TEST_NATS_URL="}}}
	if os.Getenv("TEST_DATABASE_URL") != "" && os.Getenv("TEST_NATS_URL") != "" {
		backends = append(backends, backend{"PostgreSQL + external NATS", []string{"TEST_EMBEDDED_ONLY="}})
	} else {
		fmt.Println("== PostgreSQL + NATS skipped: set TEST_DATABASE_URL and TEST_NATS_URL")
	}
	var cols []benchtable.Column
	for _, b := range backends {
		col := benchtable.Column{Name: b.name}
		for _, pkg := range pkgs {
			if ctx.Err() != nil {
				break
			}
			fmt.Printf("== %s: %s\n", b.name, pkg)
			run, err := runPackage(ctx, pkg, b.env, *bench, *benchtime, *timeout)
			col.Run.Results = append(col.Run.Results, run.Results...)
			col.Run.Failures = append(col.Run.Failures, run.Failures...)
			col.Run.Skipped = append(col.Run.Skipped, run.Skipped...)
			if err != nil && len(run.Failures) == 0 {
				// go test failed without naming a failure: count the package.
				col.Run.Failures = append(col.Run.Failures, benchtable.Failure{Pkg: pkg})
				fmt.Printf("== %s: %s: %v\n", b.name, pkg, err)
			}
		}
		cols = append(cols, col)
	}
	fmt.Println()
	if err := benchtable.Write(os.Stdout, cols); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if ctx.Err() != nil || benchtable.Failed(cols) {
		fmt.Println("\nbenchmarks FAILED")
		os.Exit(1)
	}
}

// runPackage runs one package's benchmarks, copying the output to stdout
// while parsing it.
func runPackage(ctx context.Context, pkg string, env []string, bench, benchtime, timeout string) (benchtable.Run, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", bench, "-benchtime", benchtime, "-count", "1", "-timeout", timeout, pkg)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return benchtable.Run{}, err
	}
	if err := cmd.Start(); err != nil {
		return benchtable.Run{}, err
	}
	run := benchtable.Parse(io.TeeReader(out, os.Stdout))
	return run, cmd.Wait()
}
