package locale

import (
	"testing"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestT(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		name string
		lang string
		key  string
		args []any
		want string
	}{
		{"default language text", Default, "status.closed", nil, "Ditutup"},
		{"english text", English, "status.closed", nil, "Closed"},
		{"unknown language falls back to default", "fr-FR", "status.closed", nil, "Ditutup"},
		{"empty language falls back to default", "", "status.closed", nil, "Ditutup"},
		{"missing key renders as the key", Default, "no.such.key", nil, "no.such.key"},
		{"placeholder filled from int", Default, "validation.too_long", []any{"max", 2000}, "Terlalu panjang. Maksimal 2000 karakter."},
		{"placeholder filled in english", English, "validation.password_too_short", []any{"min", 12}, "The password must have at least 12 characters."},
		{"two placeholders", Default, "complaint.file_error", []any{"name", "ktp.jpg", "error", "rusak"}, "ktp.jpg: rusak"},
		{"unused args are ignored", Default, "status.new", []any{"max", 3}, "Diterima"},
		{"missing arg leaves placeholder visible", Default, "validation.too_long", nil, "Terlalu panjang. Maksimal {max} karakter."},
		{"odd trailing arg is ignored", English, "validation.too_many_files", []any{"max", 3, "dangling"}, "At most 3 attachments."},
		{"non-string name is skipped", English, "validation.too_many_files", []any{7, 3}, "At most {max} attachments."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.T(tc.lang, tc.key, tc.args...); got != tc.want {
				t.Errorf("T(%q, %q, %v) = %q, want %q", tc.lang, tc.key, tc.args, got, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string
	}{
		{"empty header gives default", "", Default},
		{"indonesian short tag", "id", Default},
		{"old indonesian code", "in", Default},
		{"indonesian full tag", "id-ID", Default},
		{"english full tag", "en-US", English},
		{"british english maps to en-US", "en-GB", English},
		{"lower case and underscore", "en_au", English},
		{"unsupported language gives default", "fr-FR, de;q=0.8", Default},
		{"first supported wins", "fr-FR, en;q=0.9, id;q=0.8", English},
		{"higher quality wins over order", "en;q=0.5, id;q=0.9", Default},
		{"ties keep header order", "en;q=0.8, id;q=0.8", English},
		{"q=0 excludes a language", "en;q=0, id;q=0.1", Default},
		{"only excluded languages gives default", "en;q=0", Default},
		{"malformed weight is ignored", "en;q=abc, id;q=0.2", Default},
		{"weight above one is ignored", "en;q=7, fr", Default},
		{"spaces around parts", "  en-US ; q=0.9 ,  fr ", English},
		{"wildcard alone gives default", "*", Default},
		{"browser style header", "en-US,en;q=0.9,id;q=0.8", English},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Match(tc.header); got != tc.want {
				t.Errorf("Match(%q) = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		tag    string
		want   string
		wantOK bool
	}{
		{"id-ID", Default, true},
		{"ID", Default, true},
		{"en-US", English, true},
		{"en", English, true},
		{"", "", false},
		{"jv", "", false},
		{"english", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.tag, func(t *testing.T) {
			got, ok := Normalize(tc.tag)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.tag, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestHasAndAll(t *testing.T) {
	c := mustLoad(t)
	if !c.Has(English, "error.internal") {
		t.Error("Has(en-US, error.internal) = false")
	}
	if c.Has(English, "no.such.key") {
		t.Error("Has(en-US, no.such.key) = true")
	}
	if c.Has("fr-FR", "error.internal") {
		t.Error("Has must not fall back for an unknown language")
	}
	all := c.All(English)
	if all["status.closed"] != "Closed" {
		t.Errorf("All(en-US)[status.closed] = %q", all["status.closed"])
	}
	if len(all) != len(c.Keys(Default)) {
		t.Errorf("All(en-US) has %d keys, catalog has %d", len(all), len(c.Keys(Default)))
	}
	all["status.closed"] = "changed"
	if c.T(English, "status.closed") != "Closed" {
		t.Error("All must return a copy")
	}
	if got := c.All("xx")["status.closed"]; got != "Ditutup" {
		t.Errorf("All(unknown)[status.closed] = %q, want default text", got)
	}
}

func TestHTMLLang(t *testing.T) {
	if HTMLLang(Default) != "id" || HTMLLang(English) != "en" || HTMLLang("xx") != "id" {
		t.Error("HTMLLang gives the wrong attribute value")
	}
}
