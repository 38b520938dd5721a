package voice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"tanggap/internal/db"
	"tanggap/internal/locale"
	"tanggap/internal/testenv"
)

func lineAt(text, part string) int {
	i := strings.Index(text, part)
	if i < 0 {
		return -1
	}
	return strings.Count(text[:i], "\n") + 1
}

// Every problem of a menu carries its path and the line of that path;
// a missing prompt points at prompts:, a syntax error at its line, an
// unknown key at its line.
func TestCheckMenuPlacesProblems(t *testing.T) {
	src := string(DefaultMenu)
	bad := strings.Replace(src, `"3": {action: voicemail}`, `"3": {menu: nowhere}`, 1)
	bad = strings.Replace(bad, "  goodbye: ", "  goodby: ", 1)
	_, problems := CheckMenu([]byte(bad))
	got := map[string]int{}
	for _, p := range problems {
		got[p.Path] = p.Line
		if p.Message == "" {
			t.Errorf("problem without a message: %+v", p)
		}
	}
	want := map[string]int{
		"menus.main.options.3": lineAt(bad, `"3": {menu: nowhere}`),
		"prompts.goodbye":      lineAt(bad, "prompts:"),
		"prompts.goodby":       lineAt(bad, "goodby:"),
	}
	for path, line := range want {
		if got[path] != line {
			t.Errorf("%s at line %d, want %d (problems %+v)", path, got[path], line, problems)
		}
	}
	for i := 1; i < len(problems); i++ {
		if problems[i].Line < problems[i-1].Line {
			t.Errorf("problems not in line order: %+v", problems)
		}
	}

	_, problems = CheckMenu([]byte(strings.Replace(src, "gather:", "gathr:", 1)))
	if len(problems) == 0 || problems[0].Line != lineAt(src, "gather:") || !strings.Contains(problems[0].Message, "gathr") {
		t.Errorf("unknown key: %+v", problems)
	}
	_, problems = CheckMenu([]byte("language: id-ID\nmenus: {main: [\n"))
	if len(problems) != 1 || problems[0].Line == 0 {
		t.Errorf("syntax error: %+v", problems)
	}
	for _, empty := range []string{"", "  \n", strings.Repeat("#", MenuMaxBytes+1)} {
		if _, problems := CheckMenu([]byte(empty)); len(problems) != 1 {
			t.Errorf("%d bytes: %+v", len(empty), problems)
		}
	}
	if m, problems := CheckMenu(DefaultMenu); m == nil || len(problems) != 0 {
		t.Fatalf("sample menu: %+v", problems)
	}
}

// The tree starts at the start menu, keys in keypad order.
func TestTreeOf(t *testing.T) {
	m, err := ParseMenu(DefaultMenu)
	if err != nil {
		t.Fatal(err)
	}
	tr := TreeOf(m)
	if tr.Start != "main" || tr.Menus[0].ID != "main" || len(tr.Menus) != len(m.Menus) {
		t.Fatalf("tree %+v", tr)
	}
	keys := ""
	for _, o := range tr.Menus[0].Options {
		keys += o.Key
	}
	if keys != "1234" || tr.Menus[0].Options[1].Kind != "menu" || tr.Menus[0].Options[1].Target != "info" || tr.Menus[0].Options[0].Kind != "action" {
		t.Errorf("main options %+v", tr.Menus[0].Options)
	}
}

// A menu applied on one instance is in force on another at its next
// call; a refused one changes nothing and stores nothing.
func TestApplyMenuReachesOtherInstances(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	base, err := ParseMenu(DefaultMenu)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"umum", "callback"} {
		if err := d.Exec(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, CURRENT_TIMESTAMP)`, code, code).Error; err != nil {
			t.Fatal(err)
		}
	}
	one := New(Opts{DB: d, Menu: base, Log: testenv.Logger(t)})
	two := New(Opts{DB: d, Menu: base, Log: testenv.Logger(t)})

	if _, err := one.ApplyMenu(ctx, []byte("start: nowhere\n"), 0); err == nil {
		t.Fatal("a broken menu was applied")
	}
	noQueue := strings.Replace(string(DefaultMenu), "agent: umum ", "agent: nowhere ", 1)
	_, err = one.ApplyMenu(ctx, []byte(noQueue), 0)
	var mp *ErrMenuProblems
	if !errors.As(err, &mp) || len(mp.Problems) != 1 || mp.Problems[0].Path != "queues.agent" || mp.Problems[0].Line != lineAt(noQueue, "agent: nowhere") {
		t.Fatalf("a menu naming an unknown queue: %v", err)
	}
	st, err := two.MenuState(ctx)
	if err != nil || st.Version != 0 || st.Source != string(DefaultMenu) {
		t.Fatalf("before: version %d, %v", st.Version, err)
	}

	next := strings.Replace(string(DefaultMenu), "language: id-ID", "language: en-US", 1)
	st, err = one.ApplyMenu(ctx, []byte(next), 0)
	if err != nil || st.Version == 0 || one.menu().Language != "en-US" {
		t.Fatalf("apply: %+v %v", st, err)
	}
	if two.menu().Language != "id-ID" {
		t.Fatal("the other instance changed before any call")
	}
	if err := two.refreshMenu(ctx); err != nil {
		t.Fatal(err)
	}
	if two.menu().Language != "en-US" || two.current.Load().version != st.Version {
		t.Errorf("other instance: %s v%d", two.menu().Language, two.current.Load().version)
	}
}

// Every call checks the newest menu's version: on the primary key; a
// newer menu is read by its key; an applied menu's queues by their code.
func TestLatestMenuUsesIndex(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, latestMenuSQL)
	t.Logf("plan:\n%s", plan)
	bad := strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "ivr_menus_pkey")
	if d.Dialect == db.SQLite {
		bad = !strings.Contains(plan, "SEARCH ivr_menus")
	}
	if bad {
		t.Errorf("latest menu plan:\n%s", plan)
	}
	for _, c := range []struct {
		q, pg, lite string
		arg         any
	}{
		{`SELECT body FROM ivr_menus WHERE id = ?`, "ivr_menus_pkey", "INTEGER PRIMARY KEY", 1},
		{`SELECT COUNT(*) FROM queues WHERE code = ?`, "queues_code_key", "sqlite_autoindex_queues", "umum"},
	} {
		plan := testenv.Plan(t, d, c.q, c.arg)
		want := c.pg
		if d.Dialect == db.SQLite {
			want = c.lite
		}
		if !strings.Contains(plan, want) || strings.Contains(plan, "Seq Scan") {
			t.Errorf("%s: not served by %s:\n%s", c.q, want, plan)
		}
	}
}

// CheckMenu never panics, and either returns a valid menu or problems,
// each with a message and a line within the text.
func FuzzCheckMenu(f *testing.F) {
	f.Add(DefaultMenu)
	f.Add([]byte(`{"start":"main","menus":{"main":{"prompt":"x","options":{"1":{"action":"status"}}}}}`))
	f.Add([]byte("menus:\n  main:\n    options:\n      \"0\": {menu: main}\n"))
	f.Add([]byte("prompts: [\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, problems := CheckMenu(data)
		if (m == nil) == (len(problems) == 0) {
			t.Fatalf("menu %v with %d problems", m != nil, len(problems))
		}
		lines := strings.Count(string(data), "\n") + 2
		for _, p := range problems {
			if p.Message == "" || p.Line < 0 || p.Line > lines {
				t.Fatalf("problem %+v (text of %d lines)", p, lines)
			}
			if utf8.ValidString(string(data)) && !utf8.ValidString(p.Path) {
				t.Fatalf("path %q", p.Path)
			}
		}
		if m != nil {
			_ = TreeOf(m)
		}
	})
}

// Every problem is told in the reader's language, id-ID first and
// en-US, each with its line and its path in the sentence; the start-up
// error (the operator's log) is in English.
func TestMenuProblemsInBothLanguages(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	src := string(DefaultMenu)
	bad := strings.Replace(src, `"4": {action: callback}`, `"4": {action: callbak}`, 1)
	bad = strings.Replace(bad, "gather:", "gathr:", 1)
	_, problems := CheckMenu([]byte(bad))
	if len(problems) != 1 || problems[0].Key != "ivr.problem.unknown_key" {
		t.Fatalf("unknown key first: %+v", problems)
	}
	cases := []struct {
		name, lang string
		text       string // the menu
		want       []string
	}{
		{"unknown key, Indonesian", "id-ID", bad, []string{fmt.Sprintf("Baris %d: kunci gathr tidak dikenal", lineAt(bad, "gathr:"))}},
		{"unknown key, English", "en-US", bad, []string{fmt.Sprintf("Line %d: unknown key gathr", lineAt(bad, "gathr:"))}},
		{"validator, Indonesian", "id-ID", strings.Replace(bad, "gathr:", "gather:", 1), []string{
			fmt.Sprintf(`Baris %d, menus.main.options.4: tindakan "callbak" tidak dikenal`, lineAt(bad, "callbak"))}},
		{"validator, English", "en-US", strings.Replace(bad, "gathr:", "gather:", 1), []string{
			fmt.Sprintf(`Line %d, menus.main.options.4: unknown action "callbak"`, lineAt(bad, "callbak"))}},
		{"a missing prompt and a wrong timeout, Indonesian", "id-ID",
			strings.Replace(strings.Replace(src, "  goodbye: ", "  goodby: ", 1), "timeout: 6 ", "timeout: 60 ", 1), []string{
				fmt.Sprintf("Baris %d, gather.timeout: harus 1 sampai 30 detik", lineAt(src, "timeout: 6 ")),
				fmt.Sprintf("Baris %d, prompts.goodbye: belum diisi", lineAt(src, "prompts:")),
				fmt.Sprintf("Baris %d, prompts.goodby: bukan kalimat sistem yang dikenal", lineAt(src, "goodbye:"))}},
		{"a syntax error, English", "en-US", "menus: [\n", []string{"Line 1: the YAML/JSON cannot be read ("}},
		{"empty, Indonesian", "id-ID", " \n", []string{"menu kosong"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ps := CheckMenu([]byte(c.text))
			got := Localize(cat, c.lang, ps)
			if len(got) != len(c.want) {
				t.Fatalf("problems %+v, want %d", got, len(c.want))
			}
			for i, w := range c.want {
				if !strings.HasPrefix(got[i].Message, w) {
					t.Errorf("problem %d: %q, want %q", i, got[i].Message, w)
				}
				if got[i].Path != "" && !strings.Contains(got[i].Message, got[i].Path) {
					t.Errorf("the path %s is not in %q", got[i].Path, got[i].Message)
				}
			}
		})
	}
	if _, err := ParseMenu([]byte(strings.Replace(src, "timeout: 6 ", "timeout: 60 ", 1))); err == nil || !strings.Contains(err.Error(), "gather.timeout: must be 1 to 30 seconds") {
		t.Errorf("start-up error: %v", err)
	}
}
