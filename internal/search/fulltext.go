package search

import "strings"

// pgQuery builds a to_tsquery('simple', …) text: every word required,
// each a prefix when prefix is set. Words hold only letters and digits
// (Parse), so no tsquery operator can reach the database from input.
func pgQuery(words []string, prefix bool) string {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		if prefix {
			w += ":*"
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, " & ")
}

// ftsQuery builds an FTS5 MATCH text: every word a quoted string (FTS5
// reads no operator inside quotes; words carry no quote), all required,
// each a prefix when prefix is set.
func ftsQuery(words []string, prefix bool) string {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		p := `"` + w + `"`
		if prefix {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}
