package routing

import (
	"fmt"
	"strings"
)

// Problems is what a check of settings refused, each problem twice: for
// the admin screens, the field it is about (the API's name) with a
// translation key and its arguments; for logs and the seed file's errors,
// an English text. It is an ErrInvalid.
type Problems struct {
	// Subject names what was checked in the English text (`queue "jatim"`).
	Subject string
	List    []Problem
}

// Problem is one refused setting.
type Problem struct {
	Field string // the API field (code, hours, sla, …)
	Key   string // translation key, in internal/locale
	Args  []any  // name, value pairs for the key's placeholders
	Text  string // English, for logs
}

func (p *Problems) add(field, key, text string, args ...any) {
	p.List = append(p.List, Problem{Field: field, Key: key, Args: args, Text: text})
}

// Err is nil when nothing was refused.
func (p *Problems) Err() error {
	if len(p.List) == 0 {
		return nil
	}
	return p
}

func (p *Problems) Error() string {
	texts := make([]string, len(p.List))
	for i, pr := range p.List {
		texts[i] = pr.Text
	}
	if p.Subject == "" {
		return fmt.Sprintf("%v: %s", ErrInvalid, strings.Join(texts, "; "))
	}
	return fmt.Sprintf("%v: %s: %s", ErrInvalid, p.Subject, strings.Join(texts, "; "))
}

func (p *Problems) Unwrap() error { return ErrInvalid }
