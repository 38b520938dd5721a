package locale

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"tanggap/internal/apperr"
	"tanggap/internal/config"
	"tanggap/internal/domain"
	"tanggap/internal/viewaudit"
)

var (
	keyShape      = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	placeholderRE = regexp.MustCompile(`\{([a-zA-Z0-9_]+)\}`)
	// Templates: {{t "key" ...}}, {{- t "key"}} and (t "key") inside a pipeline.
	templateKeyRE = regexp.MustCompile(`(?:\{\{-?|\()\s*t\s+"([^"]+)"`)
	// Scripts: t('key') / T.t("key") and data-i18n="key" (also data-i18n-*).
	jsKeyRE   = regexp.MustCompile(`\bt\(\s*['"]([^'"]+)['"]`)
	dataKeyRE = regexp.MustCompile(`data-i18n(?:-[a-z]+)?=["']([^"']+)["']`)
)

// usedKey is one key found in the repository, with where it was found.
type usedKey struct {
	key   string
	where string
	// loose marks a key found by a generic marker (a Key: field, an Add
	// call); it only counts when its first segment is a namespace the
	// catalog has, since those markers also carry storage keys and the like.
	loose bool
}

func TestFilesHaveSameKeys(t *testing.T) {
	c := mustLoad(t)
	langs := Languages()
	for _, a := range langs {
		for _, b := range langs {
			if a == b {
				continue
			}
			for _, k := range c.Keys(a) {
				if !c.Has(b, k) {
					t.Errorf("key %q is in %s.json but missing from %s.json", k, a, b)
				}
			}
		}
	}
}

func TestPlaceholdersMatch(t *testing.T) {
	c := mustLoad(t)
	for _, k := range c.Keys(Default) {
		want := placeholders(c.msgs[Default][k])
		for _, lang := range Languages()[1:] {
			if got := placeholders(c.msgs[lang][k]); !slices.Equal(got, want) {
				t.Errorf("key %q: %s has placeholders %v, %s has %v", k, Default, want, lang, got)
			}
		}
	}
}

func TestTextsAreWellFormed(t *testing.T) {
	c := mustLoad(t)
	for _, lang := range Languages() {
		for _, k := range c.Keys(lang) {
			if !keyShape.MatchString(k) {
				t.Errorf("%s: key %q is not a dotted lower-case key", lang, k)
			}
			if strings.TrimSpace(c.msgs[lang][k]) == "" {
				t.Errorf("%s: key %q has an empty text", lang, k)
			}
		}
	}
}

// words spells domain words as strings.
func words[T ~string](ws []T) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = string(w)
	}
	return out
}

// TestRunTimeKeyFamilies covers keys that code builds from a value
// ("status." + ticket.Status), which the repository scan cannot see.
func TestRunTimeKeyFamilies(t *testing.T) {
	c := mustLoad(t)
	families := map[string][]string{
		"status.":        words(domain.TicketStatuses),
		"ticket_status.": words(domain.TicketStatuses),
		"presence.":      words(domain.Presences),
		"priority.":      words(domain.Priorities),
		"role.":          words(domain.Roles),
		"delivery.":      words(domain.DeliveryStatuses),
		// The API's error handler renders "error." + the public code.
		"error.": {apperr.CodeBadRequest, apperr.CodeUnauthorized, apperr.CodeInvalidCredentials,
			apperr.CodeForbidden, apperr.CodeNotFound, apperr.CodeConflict, apperr.CodeValidation,
			apperr.CodeTooLarge, apperr.CodeUnsupportedMediaType, apperr.CodeRateLimited,
			apperr.CodeUnavailable, apperr.CodeInternal, apperr.CodeTicketClosed, apperr.CodeInvalidStatusChange,
			apperr.CodeQueueInUse, apperr.CodeTicketInactive, apperr.CodeComplaintInProgress, apperr.CodeChannelOff},
		"channel.": words(domain.Channels),
		// A reply refused on a channel that is off (ticket.ChannelOffKey).
		"channel_off.": words(domain.Channels),
		// A complaint step refused on such a channel (complaint.StepChannelOffKey).
		"complaint.channel_off.": words(domain.Channels),
		// The view audit screen labels each kind of view.
		"privacy.view_": viewaudit.Kinds,
	}
	for _, cat := range config.Defaults().ComplaintCategories {
		if cat.Label == "" {
			families["category."] = append(families["category."], cat.Code)
		}
	}
	for prefix, values := range families {
		for _, v := range values {
			for _, lang := range Languages() {
				if !c.Has(lang, prefix+v) {
					t.Errorf("%s.json lacks %q", lang, prefix+v)
				}
			}
		}
	}
}

// TestKeysUsedInCodeExist scans the repository's Go files (tests
// excluded), HTML templates and scripts for translation keys and fails
// for each one missing from a translation file.
func TestKeysUsedInCodeExist(t *testing.T) {
	c := mustLoad(t)
	root := repoRoot(t)
	namespaces := map[string]bool{}
	for _, k := range c.Keys(Default) {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	var used []usedKey
	counts := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		var found []usedKey
		switch ext := filepath.Ext(name); {
		case ext == ".go" && !strings.HasSuffix(name, "_test.go"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			found, err = goKeys(rel, src)
			if err != nil {
				return err
			}
		case ext == ".html" || ext == ".tmpl":
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			found = regexKeys(rel, string(src), templateKeyRE, dataKeyRE)
		case ext == ".js":
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			found = regexKeys(rel, string(src), jsKeyRE, dataKeyRE)
		default:
			return nil
		}
		counts[filepath.Ext(name)] += len(found)
		used = append(used, found...)
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", root, err)
	}
	// A scan that finds nothing would pass vacuously; the pages alone use
	// keys in all three kinds of file.
	for _, ext := range []string{".go", ".html", ".js"} {
		if counts[ext] == 0 {
			t.Errorf("scan found no keys in %s files under %s: the markers or the walk are broken", ext, root)
		}
	}
	var missing []string
	for _, u := range used {
		if !keyShape.MatchString(u.key) {
			if !u.loose {
				missing = append(missing, u.where+": "+strconv.Quote(u.key)+" is not a dotted lower-case key")
			}
			continue
		}
		ns, _, _ := strings.Cut(u.key, ".")
		if u.loose && !namespaces[ns] {
			continue
		}
		for _, lang := range Languages() {
			if !c.Has(lang, u.key) {
				missing = append(missing, u.where+": "+strconv.Quote(u.key)+" missing from "+lang+".json")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range slices.Compact(missing) {
		t.Error(m)
	}
	t.Logf("checked %d key uses (%v)", len(used), counts)
}

func TestScannersFindMarkedKeys(t *testing.T) {
	goSrc := `package x
func f() {
	_ = cat.T(lang, "a.from_t", "max", 3)
	_ = s.cat.T(c.Locals("lang").(string), "a.nested_first_arg")
	_ = locale.Key("a.wrapped")
	_ = apperr.FieldError{Key: "a.field"}
	_ = Problem{MsgKey: "a.msg_key"}
	v.Add("phone", "a.added")
	_ = fmt.Sprintf("not.a_key %s", x)
	_ = T("not.counted")
	_ = cat.T(lang, dynamic)
}`
	got, err := goKeys("x.go", []byte(goSrc))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.from_t", "a.nested_first_arg", "a.wrapped", "a.field", "a.msg_key", "a.added"}
	if keys := keysOf(got); !slices.Equal(keys, want) {
		t.Errorf("Go keys = %v, want %v", keys, want)
	}
	for _, u := range got {
		if loose := u.key == "a.field" || u.key == "a.added"; u.loose != loose {
			t.Errorf("key %s loose = %v, want %v", u.key, u.loose, loose)
		}
	}

	tmpl := `<h1>{{t "b.title"}}</h1><p>{{- t "b.trim" "max" .Max}}</p><a title="{{printf "%s" (t "b.piped")}}">{{asset "x.css"}}</a><span data-i18n="b.data"></span>`
	if keys := keysOf(regexKeys("x.html", tmpl, templateKeyRE, dataKeyRE)); !slices.Equal(keys, []string{"b.title", "b.trim", "b.piped", "b.data"}) {
		t.Errorf("template keys = %v", keys)
	}
	js := `t('c.one'); T.t("c.two", {max: 3}); const x = t(key); el.setAttribute('data-i18n', k); format('c.not');`
	if keys := keysOf(regexKeys("x.js", js, jsKeyRE, dataKeyRE)); !slices.Equal(keys, []string{"c.one", "c.two"}) {
		t.Errorf("script keys = %v", keys)
	}
}

func keysOf(us []usedKey) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.key
	}
	return out
}

// goKeys finds keys behind the Go markers by walking the syntax tree, so
// formatting, comments and nested calls in other arguments do not matter.
func goKeys(name string, src []byte) ([]usedKey, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []usedKey
	add := func(lit ast.Expr, loose bool) {
		bl, ok := lit.(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(bl.Value)
		if err != nil {
			return
		}
		out = append(out, usedKey{key: s, where: fset.Position(bl.Pos()).String(), loose: loose})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch {
			case sel.Sel.Name == "T" && len(n.Args) >= 2:
				add(n.Args[1], false)
			case sel.Sel.Name == "Key" && len(n.Args) == 1 && isIdent(sel.X, "locale"):
				add(n.Args[0], false)
			case sel.Sel.Name == "Add" && len(n.Args) >= 2:
				add(n.Args[1], true)
			}
		case *ast.KeyValueExpr:
			switch {
			case isIdent(n.Key, "MsgKey"):
				add(n.Value, false)
			case isIdent(n.Key, "Key"):
				add(n.Value, true)
			}
		}
		return true
	})
	return out, nil
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func regexKeys(name, src string, res ...*regexp.Regexp) []usedKey {
	var out []usedKey
	for _, re := range res {
		for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
			line := 1 + strings.Count(src[:m[0]], "\n")
			out = append(out, usedKey{key: src[m[2]:m[3]], where: name + ":" + strconv.Itoa(line)})
		}
	}
	return out
}

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestOneVocabulary keeps the console's words: an agent is "Petugas", an
// agent who is away from work "Luring" (issue 12: "Agen sedang
// offline" said it twice otherwise). Bahasa Indonesia texts use neither
// "agen" nor the English "online"/"offline", and the capacity error uses
// the role's and the presence's own words in every language.
func TestOneVocabulary(t *testing.T) {
	c := mustLoad(t)
	foreign := regexp.MustCompile(`(?i)\b(agen|agent|online|offline)\b`)
	placeholder := regexp.MustCompile(`\{\w+\}`) // names filled in at run time, not words
	for _, k := range c.Keys("id-ID") {
		if v := c.T("id-ID", k); foreign.MatchString(placeholder.ReplaceAllString(v, "")) {
			t.Errorf("id-ID %s = %q: say Petugas, Siap melayani, Luring", k, v)
		}
	}
	for _, lang := range Languages() {
		msg := strings.ToLower(c.T(lang, "error.no_capacity"))
		for _, word := range []string{"role.agent", "presence.offline"} {
			if w := strings.ToLower(c.T(lang, word)); !strings.Contains(msg, w) {
				t.Errorf("%s error.no_capacity %q does not use %s (%q)", lang, msg, word, w)
			}
		}
	}
}
