package canned

import (
	"strings"
)

// Variables a canned reply may use, written {{name}} (spaces inside the
// braces allowed). They are filled when an agent inserts the reply into a
// ticket's reply box.
var Variables = []string{"citizen_name", "tracking_number", "agent_name", "queue", "status", "status_link"}

func known(name string) bool {
	for _, v := range Variables {
		if v == name {
			return true
		}
	}
	return false
}

// segment is a piece of a template: literal text, or a variable (name set).
type segment struct {
	text string
	name string
	raw  string // a variable as written, braces included
}

// parse splits a template into text and variables. "{{" without a
// closing "}}" on the rest of the text, and "{{}}", stay literal text; a
// variable's name is the trimmed text between the braces, lower case,
// which may be unknown (see unknownVariables).
func parse(s string) []segment {
	var out []segment
	lit := strings.Builder{}
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			lit.WriteString(s)
			break
		}
		name := strings.ToLower(strings.TrimSpace(s[i+2 : i+2+j]))
		if name == "" || strings.ContainsAny(name, "{} \t\n") {
			// Not a variable: keep the first brace as text and look again
			// from the next character.
			lit.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		lit.WriteString(s[:i])
		if lit.Len() > 0 {
			out = append(out, segment{text: lit.String()})
			lit.Reset()
		}
		out = append(out, segment{name: name, raw: s[i : i+2+j+2]})
		s = s[i+2+j+2:]
	}
	if lit.Len() > 0 {
		out = append(out, segment{text: lit.String()})
	}
	return out
}

// unknownVariables lists the variables of a template that are not in
// Variables, each once.
func unknownVariables(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, seg := range parse(s) {
		if seg.name != "" && !known(seg.name) && !seen[seg.name] {
			seen[seg.name] = true
			out = append(out, seg.name)
		}
	}
	return out
}

// fill replaces each known variable with its value; an unknown one stays
// as written (a template saved before a variable was retired).
func fill(s string, values map[string]string) string {
	var b strings.Builder
	for _, seg := range parse(s) {
		switch v, ok := values[seg.name]; {
		case seg.name == "":
			b.WriteString(seg.text)
		case ok:
			b.WriteString(v)
		default:
			b.WriteString(seg.raw)
		}
	}
	return b.String()
}
