package notes

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"tanggap/internal/agent"
)

// MaxMentions bounds the agents one note may mention.
const MaxMentions = 20

// maxHandleRunes bounds one @handle; a longer run is not a mention.
const maxHandleRunes = 64

// Mentions returns the handles a note mentions, lower case, each once, in
// order of first appearance. A mention is "@" followed by letters, digits,
// '.', '_' or '-', where the "@" starts the text or follows a character
// that is neither a letter nor a digit (so "budi@example.go.id" is an
// e-mail address, not a mention). Trailing dots and dashes are sentence
// punctuation, not part of the handle ("tolong cek, @sari.").
func Mentions(text string) []string {
	var out []string
	seen := map[string]bool{}
	prev := rune(0)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != '@' || isWord(prev) {
			prev = r
			i += size
			continue
		}
		j := i + size
		n := 0
		for j < len(text) {
			c, sz := utf8.DecodeRuneInString(text[j:])
			if !isHandle(c) {
				break
			}
			j += sz
			n++
		}
		h := strings.TrimRight(text[i+size:j], ".-")
		if h != "" && n <= maxHandleRunes {
			h = strings.ToLower(h)
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
		prev = '@'
		if j == i+size {
			i = j
			continue
		}
		r, _ = utf8.DecodeLastRuneInString(text[:j])
		prev = r
		i = j
	}
	return out
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isHandle(r rune) bool { return isWord(r) || r == '.' || r == '_' || r == '-' }

// Handle is the name an agent is mentioned by: the part of their e-mail
// address before the "@", lower case ("sari" for sari@tanggap.example).
// The console offers it when an agent types "@".
func Handle(a agent.Agent) string {
	local, _, _ := strings.Cut(a.Email, "@")
	return strings.ToLower(local)
}

// firstName is the first word of an agent's name, lower case.
func firstName(a agent.Agent) string {
	f := strings.Fields(a.Name)
	if len(f) == 0 {
		return ""
	}
	return strings.ToLower(f[0])
}

// squashed is an agent's whole name without spaces, lower case
// ("@dewilestari" for "Dewi Lestari").
func squashed(a agent.Agent) string {
	return strings.ToLower(strings.Join(strings.Fields(a.Name), ""))
}

// resolution is what one handle names.
type resolution struct {
	handle  string
	matches []agent.Agent
}

// resolve finds the agents each handle names. A handle names an agent by
// their Handle; failing that, by their first name; failing that, by their
// whole name without spaces. The first rule that matches anyone decides,
// so "@sari" is the agent whose address is sari@… even when another Sari
// exists; two matches under that rule make the mention ambiguous.
func resolve(handles []string, agents []agent.Agent) []resolution {
	rules := []func(agent.Agent) string{Handle, firstName, squashed}
	out := make([]resolution, 0, len(handles))
	for _, h := range handles {
		r := resolution{handle: h}
		for _, rule := range rules {
			for _, a := range agents {
				if rule(a) == h {
					r.matches = append(r.matches, a)
				}
			}
			if len(r.matches) > 0 {
				break
			}
		}
		out = append(out, r)
	}
	return out
}
