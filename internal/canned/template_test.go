package canned

import (
	"strings"
	"testing"
)

func TestFill(t *testing.T) {
	values := map[string]string{"citizen_name": "Siti", "tracking_number": "TGP-1"}
	for _, c := range []struct{ name, in, want string }{
		{"variables with and without spaces", "Halo {{citizen_name}} ({{ Tracking_Number }})", "Halo Siti (TGP-1)"},
		{"unclosed braces stay", "Halo {{citizen_name", "Halo {{citizen_name"},
		{"empty braces stay", "a {{}} b", "a {{}} b"},
		{"a value is never read as a template", "{{citizen_name}}", "Siti"},
		{"unknown stays as written", "{{queue_name}}!", "{{queue_name}}!"},
		{"braces inside text", "{{{citizen_name}}}", "{Siti}"},
		{"spaces inside a name is no variable", "{{citizen name}}", "{{citizen name}}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := fill(c.in, values); got != c.want {
				t.Fatalf("fill(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	if got := unknownVariables("{{a}} {{status}} {{a}} {{b c}}"); len(got) != 1 || got[0] != "a" {
		t.Fatalf("unknown = %q", got)
	}
}

// FuzzTemplate: any text parses without panic; with no values every
// text comes back exactly as written; with every value, no variable
// written as {{name}} is left.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"Halo {{citizen_name}}", "{{", "}}{{", "{{{x}}}", "{{ status }}{{status_link}}", "\xff{{a}}"} {
		f.Add(s)
	}
	values := map[string]string{}
	for _, v := range Variables {
		values[v] = "<" + v + ">"
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.Contains(s, "{{") {
			if fill(s, values) != s {
				t.Fatalf("text without variables changed: %q", s)
			}
			return
		}
		out := fill(s, values)
		for _, seg := range parse(out) {
			if seg.name != "" && known(seg.name) && strings.Contains(out, seg.raw) && strings.Contains(s, seg.raw) && !strings.Contains(s, "<") {
				t.Fatalf("%q left %s unfilled: %q", s, seg.name, out)
			}
		}
		_ = unknownVariables(s)
		if got := fill(s, map[string]string{}); got != s {
			t.Fatalf("fill with no values changed %q to %q", s, got)
		}
	})
}
