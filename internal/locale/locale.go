// Package locale holds every text a citizen or an agent reads, in Bahasa
// Indonesia (id-ID, the default) and English (en-US). Translations live in
// embedded JSON files with flat dotted keys ("error.not_found"); code refers
// to a text only by its key and renders it in the caller's language at the
// edge (HTTP handler, template, browser script).
//
// Keys used in code are checked by a test that scans the repository, so a key
// must be written where the scan sees it:
//
//   - Go: a string literal as the key argument of a .T(lang, "key", ...) call,
//     as the value of a struct field named Key or MsgKey, or wrapped in
//     locale.Key("key");
//   - templates: {{t "key"}} (arguments follow: {{t "key" "max" 3}});
//   - browser scripts: t('key') and data-i18n="key" attributes.
//
// Keys built at run time ("category." + code) are checked by their own tests.
package locale

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Default is the language of everything when nothing else is known.
const Default = "id-ID"

// English is the second language.
const English = "en-US"

//go:embed translations/*.json
var files embed.FS

// ErrBadCatalog wraps every problem found while loading the embedded files.
// It means a build mistake, so callers refuse to start.
var ErrBadCatalog = errors.New("locale: bad translation files")

// Languages lists the supported languages, default first.
func Languages() []string { return []string{Default, English} }

// Key marks a string literal as a translation key for the repository scan and
// returns it unchanged. Use it where a key is stored before it is rendered
// and no Key/MsgKey field or T call makes that visible.
func Key(k string) string { return k }

// Catalog is the loaded translations. It is read-only after Load and safe for
// concurrent use.
type Catalog struct {
	msgs map[string]map[string]string // lang -> key -> text
}

// Load reads the embedded translation files.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: make(map[string]map[string]string)}
	for _, lang := range Languages() {
		raw, err := files.ReadFile(path.Join("translations", lang+".json"))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadCatalog, lang, err)
		}
		m := make(map[string]string)
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadCatalog, lang, err)
		}
		c.msgs[lang] = m
	}
	return c, nil
}

// T renders key in lang. args are name/value pairs filling {name}
// placeholders: T(l, "validation.too_long", "max", 2000). An unknown lang
// falls back to Default, a key missing in lang falls back to Default's text,
// and a key missing everywhere renders as the key itself so a gap shows
// instead of an empty label.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.lookup(lang, key)
	if !ok {
		return key
	}
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			continue
		}
		pairs = append(pairs, "{"+name+"}", format(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

func (c *Catalog) lookup(lang, key string) (string, bool) {
	if m, ok := c.msgs[lang]; ok {
		if s, ok := m[key]; ok {
			return s, true
		}
	}
	s, ok := c.msgs[Default][key]
	return s, ok
}

func format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(v)
	}
}

// DecimalMark is the mark between the whole and the fraction of a number
// in lang: a comma in Bahasa Indonesia ("85,3"), a point in English.
func DecimalMark(lang string) string {
	if l, ok := Normalize(lang); ok && l == English {
		return "."
	}
	return ","
}

// Has reports whether lang itself (without fallback) translates key.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// Keys lists the keys of lang, sorted.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// All returns a copy of every text of lang (unknown lang: Default) with
// Default's text filling any gap, for handing to browser scripts.
func (c *Catalog) All(lang string) map[string]string {
	if _, ok := c.msgs[lang]; !ok {
		lang = Default
	}
	out := make(map[string]string, len(c.msgs[Default]))
	for k, v := range c.msgs[Default] {
		out[k] = v
	}
	for k, v := range c.msgs[lang] {
		out[k] = v
	}
	return out
}

// Normalize maps a language tag to a supported language: "id", "in"
// (the old code for Indonesian) and "id-*" give id-ID; "en" and "en-*" give
// en-US. ok is false for anything else.
func Normalize(tag string) (lang string, ok bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	primary, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	switch primary {
	case "id", "in":
		return Default, true
	case "en":
		return English, true
	}
	return "", false
}

// Match picks the supported language a browser prefers from an
// Accept-Language header ("en-GB,en;q=0.9,id;q=0.8"), Default when none of
// its languages is supported. Entries are tried by falling quality; q=0
// excludes an entry, and ties keep the header's order.
func Match(acceptLanguage string) string {
	type choice struct {
		tag string
		q   float64
	}
	var choices []choice
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.TrimSpace(tag)
		if tag == "" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			name, val, found := strings.Cut(strings.TrimSpace(p), "=")
			if !found || strings.TrimSpace(name) != "q" {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil || f < 0 || f > 1 {
				f = 0 // a malformed weight is ignored rather than trusted
			}
			q = f
		}
		if q > 0 {
			choices = append(choices, choice{tag, q})
		}
	}
	slices.SortStableFunc(choices, func(a, b choice) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	for _, ch := range choices {
		if lang, ok := Normalize(ch.tag); ok {
			return lang
		}
	}
	return Default
}

// HTMLLang is the value of the <html lang> attribute for lang ("id", "en").
func HTMLLang(lang string) string {
	if lang == English {
		return "en"
	}
	return "id"
}
