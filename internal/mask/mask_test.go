package mask

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Indonesian E.164", "+6281234567890", "+62812****890"},
		{"longest Indonesian mobile", "+62812345678901", "+62812****901"},
		{"wa_id without plus", "6281234567890", "62812****890"},
		{"national form", "081234567890", "08123****890"},
		{"separators dropped first", "+62 812-3456-7890", "+62812****890"},
		{"foreign, too short to show a prefix and hide four", "+14155552671", "****671"},
		{"foreign, long enough", "+442079460958", "+44207****958"},
		{"Jakarta landline", "+622155512345", "+62215****345"},
		{"too short to keep a prefix", "0812345678", "****678"},
		{"tiny", "12345", "****"},
		{"empty", "", ""},
		{"separators only", " - ", ""},
		{"garbage text", "call me maybe at home", "callm****ome"},
		{"invalid UTF-8", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4", "\ufffd\ufffd\ufffd\ufffd\ufffd****\ufffd\ufffd\ufffd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Phone(tc.in); got != tc.want {
				t.Fatalf("Phone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"government address", "budi.santoso@example.go.id", "b***@example.go.id"},
		{"one-letter local part", "b@example.com", "b***@example.com"},
		{"trimmed", "  siti@example.com ", "s***@example.com"},
		{"non-ASCII first letter kept whole", "élodie@example.fr", "é***@example.fr"},
		{"empty local part", "@example.com", "***@example.com"},
		{"several ats: last one splits", "a@b@example.com", "a***@example.com"},
		{"domain with spaces is not a domain", "a@this is my complaint text", "a***@***"},
		{"empty domain", "budi@", "b***@***"},
		{"huge domain", "a@" + strings.Repeat("x", 300) + ".com", "a***@***"},
		{"no at: treated as a name", "budi santoso", "b***"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Email(tc.in); got != tc.want {
				t.Fatalf("Email(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNIK(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"valid", "3201012503900001", "320101**********"},
		{"with spaces", "3201 0125 0390 0001", "320101**********"},
		{"malformed but long", "32010125039", "**********"},
		{"malformed, twelve characters", "320101250390", "320101**********"},
		{"short", "3201", "**********"},
		{"empty", "", ""},
		{"huge", strings.Repeat("9", 10000), "999999**********"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NIK(tc.in); got != tc.want {
				t.Fatalf("NIK(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"full name", "Budi Santoso", "B***"},
		{"leading spaces", "  siti", "s***"},
		{"single letter", "A", "A***"},
		{"non-Latin", "Ñoño", "Ñ***"},
		{"empty", "", ""},
		{"spaces", "   ", ""},
		{"invalid UTF-8", "\xffabc", "\ufffd***"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Name(tc.in); got != tc.want {
				t.Fatalf("Name(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "[0 chars]"},
		{"ASCII", "Kartu saya belum aktif", "[22 chars]"},
		{"counts characters, not bytes", "Terima kasih 🙏", "[14 chars]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Fatalf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestAttrs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("inbound",
		PhoneAttr("phone", "+6281234567890"),
		EmailAttr("email", "budi.santoso@example.go.id"),
		NIKAttr("nik", "3201012503900001"),
		NameAttr("name", "Budi Santoso"),
		TextAttr("body", "Kartu saya belum aktif"),
	)
	line := buf.String()
	for _, secret := range []string{"34567", "santoso", "2503900001", "Santoso", "Kartu"} {
		if strings.Contains(line, secret) {
			t.Errorf("log line leaks %q: %s", secret, line)
		}
	}
	for _, want := range []string{"phone=+62812****890", "email=b***@example.go.id", "nik=320101**********", "name=B***", `body="[22 chars]"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %s: %s", want, line)
		}
	}
}

// Bounds on what each function may show, whatever the input.
const (
	maxPhoneRunes = 6 + 4 + 3
	maxNIKRunes   = 16
	maxNameRunes  = 4
	maxEmailRunes = 1 + 3 + 1 + 253
)

func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"+6281234567890", "budi.santoso@example.go.id", "3201012503900001", "Budi Santoso",
		"", "@", "a@", "@b", "\xff", "+", "    ", "a@b c", strings.Repeat("x", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		outs := map[string]struct {
			out      string
			maxRunes int
		}{
			"Phone": {Phone(in), maxPhoneRunes},
			"Email": {Email(in), maxEmailRunes},
			"NIK":   {NIK(in), maxNIKRunes},
			"Name":  {Name(in), maxNameRunes},
		}
		for fn, o := range outs {
			if !utf8.ValidString(o.out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", fn, in, o.out)
			}
			if n := utf8.RuneCountInString(o.out); n > o.maxRunes {
				t.Fatalf("%s(%q) = %q: %d runes, more than %d", fn, in, o.out, n, o.maxRunes)
			}
			if o.out != "" && !strings.Contains(o.out, "***") {
				t.Fatalf("%s(%q) = %q: nothing masked", fn, in, o.out)
			}
			if strings.TrimSpace(in) != "" && o.out == "" && fn != "Phone" && fn != "NIK" {
				t.Fatalf("%s(%q) = empty for non-blank input", fn, in)
			}
		}
		// The only part of an input Email may show beyond one character
		// is a domain of DNS characters.
		if at := strings.LastIndexByte(Email(in), '@'); at >= 0 {
			d := Email(in)[at+1:]
			if d != "***" && strings.Trim(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != "" {
				t.Fatalf("Email(%q) shows non-domain text %q", in, d)
			}
		}
		if got, want := Text(in), "["; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, " chars]") || len(got) > 24 {
			t.Fatalf("Text(%q) = %q", in, got)
		}
	})
}

func TestURL(t *testing.T) {
	cases := map[string]string{
		"postgres://app:s3cret@db:5432/cc?sslmode=require": "postgres://app:***@db:5432/cc?sslmode=require",
		"postgres://app@db/cc":                             "postgres://app@db/cc",
		"nats://u:p@a:4222,nats://u:p@b:4222":              "nats://u:***@a:4222,nats://u:***@b:4222",
		"nats://a:4222":                                    "nats://a:4222",
		"postgres://app:p@ss@word@db/cc":                   "postgres://app:***@db/cc",
		"":                                                 "",
	}
	for in, want := range cases {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}
