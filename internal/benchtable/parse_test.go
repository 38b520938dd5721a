package benchtable

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: tanggap/internal/ingest
cpu: AMD EPYC 7B13
BenchmarkIngest-2   	       1	6234567890 ns/op	     16040 msgs/s
PASS
ok  	tanggap/internal/ingest	12.345s
goos: linux
goarch: amd64
pkg: tanggap/channels/voice
BenchmarkCalls
    bench_test.go:53: no <Enqueue action> in the answer
--- FAIL: BenchmarkCalls
FAIL
exit status 1
FAIL	tanggap/channels/voice	41.560s
pkg: tanggap/internal/routing
BenchmarkOffer-2   	       1	         1.5 ms/op	      1540 decisions/s	 3.1 p99-ms
--- SKIP: BenchmarkAssignWaiting
    bench_test.go:20: PostgreSQL only
BenchmarkScale/sqlite/10k-2   	       1	 2.5 inbox-p99-ms
FAIL	tanggap/internal/app [build failed]
`

func TestParseReadsResultsFailuresAndSkips(t *testing.T) {
	run := Parse(strings.NewReader(sample))
	want := []Result{
		{Pkg: "tanggap/internal/ingest", Name: "BenchmarkIngest", Iterations: 1, Metrics: []Metric{{6234567890, "ns/op"}, {16040, "msgs/s"}}},
		{Pkg: "tanggap/internal/routing", Name: "BenchmarkOffer", Iterations: 1, Metrics: []Metric{{1.5, "ms/op"}, {1540, "decisions/s"}, {3.1, "p99-ms"}}},
		{Pkg: "tanggap/internal/routing", Name: "BenchmarkScale/sqlite/10k", Iterations: 1, Metrics: []Metric{{2.5, "inbox-p99-ms"}}},
	}
	if len(run.Results) != len(want) {
		t.Fatalf("results %+v, want %+v", run.Results, want)
	}
	for i, r := range run.Results {
		w := want[i]
		if r.Pkg != w.Pkg || r.Name != w.Name || r.Iterations != w.Iterations || len(r.Metrics) != len(w.Metrics) {
			t.Fatalf("result %d = %+v, want %+v", i, r, w)
		}
		for j := range r.Metrics {
			if r.Metrics[j] != w.Metrics[j] {
				t.Errorf("result %d metric %d = %+v, want %+v", i, j, r.Metrics[j], w.Metrics[j])
			}
		}
	}
	wantFail := []Failure{{Pkg: "tanggap/channels/voice", Name: "BenchmarkCalls"}, {Pkg: "tanggap/internal/app"}}
	if len(run.Failures) != len(wantFail) || run.Failures[0] != wantFail[0] || run.Failures[1] != wantFail[1] {
		t.Errorf("failures %+v, want %+v", run.Failures, wantFail)
	}
	if len(run.Skipped) != 1 || run.Skipped[0].Name != "BenchmarkAssignWaiting" {
		t.Errorf("skipped %+v", run.Skipped)
	}
}

func TestParsePassesOverMalformedLines(t *testing.T) {
	for name, in := range map[string]string{
		"no iterations":     "BenchmarkX-2 abc 12 ns/op\n",
		"odd metric fields": "BenchmarkX-2 1 12 ns/op 5\n",
		"value not number":  "BenchmarkX-2 1 twelve ns/op\n",
		"zero iterations":   "BenchmarkX-2 0 12 ns/op\n",
		"a log line":        "BenchmarkX started at 12:00\n",
	} {
		if run := Parse(strings.NewReader(in)); len(run.Results) != 0 {
			t.Errorf("%s: parsed %+v", name, run.Results)
		}
	}
}

func TestWriteOneTableWithAColumnPerBackend(t *testing.T) {
	emb := Parse(strings.NewReader(sample))
	pg := Parse(strings.NewReader("pkg: tanggap/channels/voice\nBenchmarkCalls-2 1 632 calls/s 32 p99-ms\nok\ttanggap/channels/voice\t3s\n"))
	cols := []Column{{Name: "embedded", Run: emb}, {Name: "postgres", Run: pg}}
	var b bytes.Buffer
	if err := Write(&b, cols); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| benchmark | embedded | postgres |",
		"| `ingest` BenchmarkIngest | 16040 msgs/s | — |",
		"| `voice` BenchmarkCalls | **FAIL** | 632 calls/s, 32.0 p99-ms |",
		"| `routing` BenchmarkAssignWaiting | skipped | — |",
		"embedded: package tanggap/internal/app FAILED",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if !Failed(cols) || Failed(cols[1:]) {
		t.Errorf("Failed: want true for the embedded column only")
	}
}

// FuzzParse: any input parses without panicking, and every result it
// keeps is a benchmark line with positive iterations and finite metrics
// that the table can print.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("BenchmarkX-2 1 12 ns/op\n")
	f.Add("pkg: a\n--- FAIL: BenchmarkY-8\nFAIL\ta\t1s\n")
	f.Add("BenchmarkZ-x 3 NaN ns/op\n")
	f.Fuzz(func(t *testing.T, in string) {
		run := Parse(strings.NewReader(in))
		for _, r := range run.Results {
			if !strings.HasPrefix(r.Name, "Benchmark") || r.Iterations <= 0 {
				t.Fatalf("kept %+v", r)
			}
		}
		var b bytes.Buffer
		if err := Write(&b, []Column{{Name: "x", Run: run}}); err != nil {
			t.Fatal(err)
		}
	})
}
