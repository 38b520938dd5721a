package mask

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPreview(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"plain text stays", "Kartu saya belum aktif", "Kartu saya belum aktif"},
		{"blanks collapse to one line", "baris satu\n\n  baris\tdua ", "baris satu baris dua"},
		{"phone number is hidden", "hubungi 081234567890 ya", "hubungi **** ya"},
		{"phone with separators is hidden", "nomor saya +62 812-3456-7890.", "nomor saya ****."},
		{"NIK is hidden", "NIK 3201012503900001 benar", "NIK **** benar"},
		{"short numbers stay", "pesan ke-3 pada jam 10.30", "pesan ke-3 pada jam 10.30"},
		{"e-mail is masked", "email budi.santoso@example.go.id", "email b***@example.go.id"},
		{"number glued to a word is hidden", "HP:081234567890", "HP:****"},
		{"a lone plus stays", "1 + 1 = 2", "1 + 1 = 2"},
		{"empty stays empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Preview(tc.in); got != tc.want {
				t.Fatalf("Preview(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPreviewIsShort(t *testing.T) {
	long := strings.Repeat("kata ", 1000) + "081234567890"
	got := Preview(long)
	if n := utf8.RuneCountInString(got); n > PreviewRunes+1 {
		t.Fatalf("preview has %d runes, want at most %d", n, PreviewRunes+1)
	}
	if !strings.HasSuffix(got, "…") {
		t.Fatalf("a cut preview ends with an ellipsis: %q", got)
	}
	if got := Preview("\xff\xfe 081234567890"); strings.Contains(got, "1234") || !utf8.ValidString(got) {
		t.Fatalf("invalid input leaked or stayed invalid: %q", got)
	}
}

func BenchmarkPreview(b *testing.B) {
	text := "Selamat siang, kartu Prakerja saya belum aktif padahal sudah dua minggu sejak pendaftaran. Nomor saya 081234567890, mohon dibantu."
	for b.Loop() {
		Preview(text)
	}
}

func TestReason(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"a WhatsApp error code stays", "WhatsApp error 131047: Re-engagement message (HTTP 400)", "WhatsApp error 131047: Re-engagement message (HTTP 400)"},
		{"an SMTP code stays", "550 5.1.1 mailbox unavailable", "550 5.1.1 mailbox unavailable"},
		{"a phone number is hidden", "Recipient 6281234567890 is not a valid WhatsApp user", "Recipient **** is not a valid WhatsApp user"},
		{"a local phone number with its area code is hidden", "SMS to 021 555 1234 failed", "SMS to **** failed"},
		{"an e-mail address in a bounce is masked", "550 <siti.rahayu@example.com>: no such user", "550 <s***@example.com>: no such user"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Reason(tc.in); got != tc.want {
				t.Fatalf("Reason(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
