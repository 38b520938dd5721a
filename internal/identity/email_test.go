package identity

import (
	"errors"
	"net/mail"
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".id"
	tests := []struct {
		name string
		in   string
		want string // "" means ErrEmailInvalid
	}{
		{"plain government address", "budi.santoso@example.go.id", "budi.santoso@example.go.id"},
		{"lower-cased", "Budi.Santoso@Example.GO.ID", "budi.santoso@example.go.id"},
		{"trimmed", "  siti@example.com \n", "siti@example.com"},
		{"plus tag", "siti+kartu@example.com", "siti+kartu@example.com"},
		{"digits and dashes", "user_01@mail-server.co.id", "user_01@mail-server.co.id"},
		{"punycode TLD", "a@example.xn--p1ai", "a@example.xn--p1ai"},
		{"exactly 254 characters", long, long},
		{"apostrophe is atext", "o'neil@example.com", "o'neil@example.com"},

		{"empty", "", ""},
		{"spaces only", "   ", ""},
		{"no at", "budi.example.com", ""},
		{"two ats", "budi@santoso@example.com", ""},
		{"display name", "Budi <budi@example.com>", ""},
		{"angle brackets", "<budi@example.com>", ""},
		{"quoted local part", `"budi santoso"@example.com`, ""},
		{"comment", "budi(comment)@example.com", ""},
		{"space inside", "budi santoso@example.com", ""},
		{"no domain dot", "budi@localhost", ""},
		{"empty local", "@example.com", ""},
		{"empty domain", "budi@", ""},
		{"leading dot", ".budi@example.com", ""},
		{"trailing dot in local", "budi.@example.com", ""},
		{"double dot in local", "budi..s@example.com", ""},
		{"double dot in domain", "budi@example..com", ""},
		{"trailing dot in domain", "budi@example.com.", ""},
		{"domain label starts with dash", "budi@-example.com", ""},
		{"underscore in domain", "budi@ex_ample.com", ""},
		{"numeric TLD", "budi@example.123", ""},
		{"one-letter TLD", "budi@example.c", ""},
		{"IP literal", "budi@[192.0.2.1]", ""},
		{"Unicode local part", "büdi@example.com", ""},
		{"Unicode domain", "budi@contoh.indonesia.ïd", ""},
		{"control character", "budi\x00@example.com", ""},
		{"local part longer than 64", strings.Repeat("a", 65) + "@example.com", ""},
		{"label longer than 63", "a@" + strings.Repeat("b", 64) + ".com", ""},
		{"255 characters", "a" + long, ""},
		{"several addresses", "a@example.com, b@example.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeEmail(tc.in)
			if tc.want == "" {
				if !errors.Is(err, ErrEmailInvalid) || got != "" {
					t.Fatalf("NormalizeEmail(%q) = %q, %v; want ErrEmailInvalid", tc.in, got, err)
				}
				if in := strings.TrimSpace(tc.in); in != "" && strings.Contains(err.Error(), in) {
					t.Errorf("error %q echoes the input", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			checkEmailInvariants(t, tc.in, got)
		})
	}
}

func checkEmailInvariants(t *testing.T, in, out string) {
	t.Helper()
	if len(out) > 254 || strings.Count(out, "@") != 1 || out != strings.ToLower(out) {
		t.Fatalf("%q → %q: bad shape", in, out)
	}
	_, domain, _ := strings.Cut(out, "@")
	if !strings.Contains(domain, ".") {
		t.Fatalf("%q → %q: domain without a dot", in, out)
	}
	addr, err := mail.ParseAddress(out)
	if err != nil || addr.Name != "" || addr.Address != out {
		t.Fatalf("%q → %q: net/mail reads %+v, %v", in, out, addr, err)
	}
	again, err := NormalizeEmail(out)
	if err != nil || again != out {
		t.Fatalf("%q → %q, which re-normalizes to %q, %v", in, out, again, err)
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"budi.santoso@example.go.id", "Budi <budi@example.com>", `"a b"@example.com`, "a@b.co",
		"a@example.xn--p1ai", "budi(c)@example.com", "@", "a@b", "", " a@b.cd ", "a..b@c.de",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeEmail(in)
		if err != nil {
			if !errors.Is(err, ErrEmailInvalid) || out != "" {
				t.Fatalf("%q: got %q, %v", in, out, err)
			}
			return
		}
		checkEmailInvariants(t, in, out)
	})
}
