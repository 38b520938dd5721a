package benchtable

import (
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
)

// Column is one backend's run.
type Column struct {
	Name string
	Run  Run
	// Err is set when the run itself could not be made (go test did not
	// start, or exited non-zero without saying which benchmark failed).
	Err error
}

// Failed reports whether any column has a failure.
func Failed(cols []Column) bool {
	for _, c := range cols {
		if c.Err != nil || len(c.Run.Failures) > 0 {
			return true
		}
	}
	return false
}

// Write prints one Markdown table: a row per benchmark (package and name),
// a column per backend; a cell lists the benchmark's metrics (ns/op left
// out when others were reported), "FAIL", "skipped" or "—". Failures of
// whole packages are listed under the table.
func Write(w io.Writer, cols []Column) error {
	type key struct{ pkg, name string }
	var rows []key
	seen := map[key]bool{}
	add := func(k key) {
		if !seen[k] {
			seen[k] = true
			rows = append(rows, k)
		}
	}
	for _, c := range cols {
		for _, r := range c.Run.Results {
			add(key{r.Pkg, r.Name})
		}
		for _, f := range c.Run.Failures {
			if f.Name != "" {
				add(key{f.Pkg, f.Name})
			}
		}
		for _, f := range c.Run.Skipped {
			add(key{f.Pkg, f.Name})
		}
	}
	var b strings.Builder
	b.WriteString("| benchmark |")
	for _, c := range cols {
		b.WriteString(" " + c.Name + " |")
	}
	b.WriteString("\n|---|")
	for range cols {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, k := range rows {
		fmt.Fprintf(&b, "| `%s` %s |", path.Base(k.pkg), k.name)
		for _, c := range cols {
			b.WriteString(" " + cell(c.Run, k.pkg, k.name) + " |")
		}
		b.WriteString("\n")
	}
	for _, c := range cols {
		if c.Err != nil {
			fmt.Fprintf(&b, "\n%s: %v\n", c.Name, c.Err)
		}
		for _, f := range c.Run.Failures {
			if f.Name == "" {
				fmt.Fprintf(&b, "\n%s: package %s FAILED\n", c.Name, f.Pkg)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(run Run, pkg, name string) string {
	for _, f := range run.Failures {
		if f.Pkg == pkg && f.Name == name {
			return "**FAIL**"
		}
	}
	var parts []string
	for _, r := range run.Results {
		if r.Pkg != pkg || r.Name != name {
			continue
		}
		for _, m := range r.Metrics {
			if m.Unit == "ns/op" && len(r.Metrics) > 1 {
				continue
			}
			parts = append(parts, formatValue(m.Value)+" "+m.Unit)
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, ", ")
	}
	for _, f := range run.Skipped {
		if f.Pkg == pkg && f.Name == name {
			return "skipped"
		}
	}
	return "—"
}

// formatValue prints at least three significant digits (16040, 3.10, 0.0123).
func formatValue(v float64) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	digits := 3 - int(math.Floor(math.Log10(math.Abs(v)))) - 1
	if digits < 0 {
		digits = 0
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}
