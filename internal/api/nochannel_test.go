package api_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The HTTP layer knows no channel by name: a channel's console rules come
// from its adapter through the optional interfaces of package channels.
func TestAPINamesNoChannel(t *testing.T) {
	names := regexp.MustCompile(`(?i)whats\s*app|live[\s-]*chat|voice|web[\s-]*form|twilio`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "tanggap/channels/") {
				t.Errorf("%s imports channel package %s", name, path)
			}
		}
		for i, line := range strings.Split(string(src), "\n") {
			if m := names.FindString(line); m != "" {
				t.Errorf("%s:%d names channel %q: %s", name, i+1, m, strings.TrimSpace(line))
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
