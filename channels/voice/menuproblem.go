package voice

import (
	"regexp"
	"strings"
	"sync"

	"tanggap/internal/locale"
)

// A menu's problems are found once and told in the reader's language:
// each carries a translation key and its arguments (internal/locale,
// ivr.problem.*), and is rendered with its line and path at the edge
// (the admin's language on the screen, English for the operator's log at
// start).

// issue is one finding of the validator: where (a dotted path) and what.
type issue struct {
	path string
	key  string
	args []any // name/value pairs of the key's placeholders
}

func newIssue(path, key string, args ...any) issue { return issue{path: path, key: key, args: args} }

// render is the problem in lang: its line and path, then what is wrong.
func (p MenuProblem) render(t Texts, lang string) string {
	what := t.T(lang, p.Key, p.args...)
	switch {
	case p.Line > 0 && p.Path != "":
		return t.T(lang, "ivr.problem.at_line_path", "line", p.Line, "path", p.Path, "problem", what)
	case p.Line > 0:
		return t.T(lang, "ivr.problem.at_line", "line", p.Line, "problem", what)
	case p.Path != "":
		return t.T(lang, "ivr.problem.at_path", "path", p.Path, "problem", what)
	}
	return what
}

// Localize renders every problem's message in lang.
func Localize(t Texts, lang string, ps []MenuProblem) []MenuProblem {
	out := make([]MenuProblem, len(ps))
	for i, p := range ps {
		p.Message = p.render(t, lang)
		out[i] = p
	}
	return out
}

// builtin is the embedded catalog, for problems rendered without a
// caller's catalog (CheckMenu's default English, the start-up error).
var builtin = sync.OnceValue(func() Texts {
	c, err := locale.Load()
	if err != nil {
		return keysOnly{}
	}
	return c
})

// keysOnly renders a key as itself (an embedded catalog that does not
// load is a build defect the locale tests catch).
type keysOnly struct{}

func (keysOnly) T(_, key string, _ ...any) string { return key }

// The YAML decoder's words: an unknown key is told as such, anything
// else as a syntax error quoting the decoder.
var (
	unknownFieldRE = regexp.MustCompile(`field (\S+) not found in type`)
	linePrefixRE   = regexp.MustCompile(`^(yaml: )?line \d+: `)
)

func decodeProblem(msg string) MenuProblem {
	line := lineOf(msg)
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		return MenuProblem{Line: line, Key: locale.Key("ivr.problem.unknown_key"), args: []any{"key", m[1]}}
	}
	detail := linePrefixRE.ReplaceAllString(msg, "")
	detail = strings.TrimPrefix(detail, "yaml: ")
	return MenuProblem{Line: line, Key: locale.Key("ivr.problem.syntax"), args: []any{"detail", detail}}
}
