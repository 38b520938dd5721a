package ticket_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// ownedWrite matches a statement that changes a table this package owns.
var ownedWrite = regexp.MustCompile(`(?i)\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(tickets|messages|attachments)\b`)

// ownedWrites lists the string literals of the Go sources under root (tests
// left out) that write tickets, messages or attachments, as
// "file:line: table", for the files keep chooses.
func ownedWrites(t *testing.T, root string, keep func(rel string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || !keep(rel) {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range ownedWrite.FindAllStringSubmatch(s, -1) {
				out = append(out, rel+":"+strconv.Itoa(fset.Position(lit.Pos()).Line)+": "+strings.ToLower(m[2]))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// One owner per table: internal/ticket owns tickets, messages and
// attachments, so no other package's code carries a statement that writes
// them (ingest and routing call this package's functions, which take
// their transaction). Migrations are SQL files, not Go; tests are left out
// (their fixtures write rows directly), and so are the benchmark seeders,
// which only tests import: they fill a database with a million rows in a
// few set-based statements, as a fixture does.
var benchmarkSeeders = []string{"internal/scale/", "internal/search/benchseed/"}

func TestOnlyTicketWritesItsTables(t *testing.T) {
	root := filepath.Join("..", "..")
	others := ownedWrites(t, root, func(rel string) bool {
		for _, p := range benchmarkSeeders {
			if strings.HasPrefix(rel, p) {
				return false
			}
		}
		return !strings.HasPrefix(rel, "internal/ticket/") && !strings.HasPrefix(rel, "migrations/")
	})
	for _, w := range others {
		t.Errorf("%s is written outside internal/ticket; add a function to internal/ticket that takes the transaction", w)
	}
	// The scan finds real statements: this package's own writes of each
	// table.
	own := ownedWrites(t, root, func(rel string) bool { return strings.HasPrefix(rel, "internal/ticket/") })
	for _, table := range []string{"tickets", "messages", "attachments"} {
		found := false
		for _, w := range own {
			found = found || strings.HasSuffix(w, ": "+table)
		}
		if !found {
			t.Errorf("the scan found no write of %s in internal/ticket: %v", table, own)
		}
	}
}

// The benchmark seeders stay out of the product: only tests import them.
func TestBenchmarkSeedersOnlyInTests(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, p := range benchmarkSeeders {
			imp := `"tanggap/` + strings.TrimSuffix(p, "/") + `"`
			rel, _ := filepath.Rel(root, path)
			if strings.Contains(string(b), imp) && !strings.HasPrefix(filepath.ToSlash(rel), p) {
				t.Errorf("%s imports %s outside a test", rel, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
