package notes

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"tanggap/internal/agent"
)

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"at the start", "@sari tolong cek", []string{"sari"}},
		{"after punctuation, trailing dot dropped", "Tolong cek, (@Sari).", []string{"sari"}},
		{"dotted handle", "@rudi.h dan @rudi.s", []string{"rudi.h", "rudi.s"}},
		{"each once", "@sari @SARI @sari", []string{"sari"}},
		{"an e-mail address is none", "kirim ke budi@example.go.id", nil},
		{"a lone at sign is none", "jam @ 10", nil},
		{"double at", "@@dewi", []string{"dewi"}},
		{"unicode letters", "@dédé hadir", []string{"dédé"}},
		{"too long is none", "@" + strings.Repeat("a", 65), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Mentions(c.text); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Mentions(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestResolveRules(t *testing.T) {
	agents := []agent.Agent{
		{ID: 1, Email: "sari@x.id", Name: "Sari Wulandari"},
		{ID: 2, Email: "sari.d@x.id", Name: "Sari Dewi"},
		{ID: 3, Email: "hr@x.id", Name: "Dewi Lestari"},
	}
	got := resolve([]string{"sari", "dewilestari", "dewi", "sari.d", "nobody"}, agents)
	ids := func(r resolution) (out []int64) {
		for _, a := range r.matches {
			out = append(out, a.ID)
		}
		return out
	}
	want := [][]int64{{1}, {3}, {3}, {2}, nil}
	for i, r := range got {
		if !reflect.DeepEqual(ids(r), want[i]) {
			t.Errorf("%s names %v, want %v", r.handle, ids(r), want[i])
		}
	}
}

// FuzzMentions: any text parses without panic, and every handle found is
// lower case, made of handle characters, short, and written after an "@"
// in the text.
func FuzzMentions(f *testing.F) {
	for _, s := range []string{"@sari cek", "a@b.c", "@@x", "@rudi.h.", "(@Dédé)", "@", "@-", "\xff@a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, h := range Mentions(text) {
			if h == "" || h != strings.ToLower(h) || utf8.RuneCountInString(h) > maxHandleRunes {
				t.Fatalf("handle %q from %q", h, text)
			}
			for _, r := range h {
				if !isHandle(r) {
					t.Fatalf("handle %q has %q", h, r)
				}
			}
			if !strings.Contains(strings.ToLower(text), "@"+h) {
				t.Fatalf("handle %q is not in %q", h, text)
			}
		}
	})
}
