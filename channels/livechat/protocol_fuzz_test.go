package livechat

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"tanggap/internal/csat"
)

// FuzzDecodeClient: any bytes either decode into a frame that satisfies
// the protocol's limits or fail with ErrBadFrame; nothing panics.
func FuzzDecodeClient(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"type":"hello","token":"abc.def","after":3,"lang":"en-US"}`,
		`{"v":1,"type":"msg","cid":"c-1","text":"halo"}`,
		`{"v":1,"type":"msg","cid":"c-2","files":[{"key":"2026/01/a.pdf","mime":"application/pdf","size":10,"sig":"x"}]}`,
		`{"v":1,"type":"typing","on":true}`,
		`{"v":1,"type":"mark","seq":4,"status":"read"}`,
		`{"v":1,"type":"profile","name":"Siti","phone":"0812","email":"a@b.id"}`,
		`{"v":1,"type":"new"}`, `{"v":1,"type":"sync","after":9}`, `{"v":2,"type":"ping"}`,
		`{"v":1,"type":"msg","cid":"../x","text":"a"}`, `[]`, `null`, "\xff",
		`{"v":1,"type":"rate","survey":"AAAAAAAAAAEAAAAAaxokLg.WwSx4lYZcdxr1st-wL6kXA","rating":4,"comment":"Cepat"}`,
		`{"v":1,"type":"rate","survey":"x","rating":6}`, `{"v":1,"type":"rate","rating":3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeClient(data)
		if err != nil {
			if !errors.Is(err, ErrBadFrame) {
				t.Fatalf("error %v does not wrap ErrBadFrame", err)
			}
			return
		}
		if fr.V != ProtocolVersion {
			t.Fatalf("accepted version %d", fr.V)
		}
		switch fr.Type {
		case TypeMessage:
			if !validCID(fr.CID) || utf8.RuneCountInString(fr.Text) > MaxTextRunes || len(fr.Files) > MaxFiles ||
				(fr.Text == "" && len(fr.Files) == 0) {
				t.Fatalf("accepted bad message %+v", fr)
			}
		case TypeHello, TypeSync:
			if fr.After < 0 {
				t.Fatalf("accepted negative after")
			}
		case TypeMark:
			if fr.Seq <= 0 {
				t.Fatalf("accepted mark without seq")
			}
		case TypeRate:
			if fr.Survey == "" || len(fr.Survey) > csat.MaxTokenLen || fr.Rating < 1 || fr.Rating > 5 ||
				utf8.RuneCountInString(fr.Comment) > csat.MaxCommentRunes {
				t.Fatalf("accepted bad rating %+v", fr)
			}
		case TypeTyping, TypeProfile, TypeNew, TypePing:
		default:
			t.Fatalf("accepted type %q", fr.Type)
		}
		if _, err := json.Marshal(fr); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTokens(t *testing.T) {
	s := signer{secret: []byte("0123456789abcdef0123456789abcdef")}
	id, err := newVisitorID()
	if err != nil {
		t.Fatal(err)
	}
	tok := s.token(id)
	if got, err := s.visitor(tok); err != nil || got != id {
		t.Fatalf("visitor(%q) = %q, %v", tok, got, err)
	}
	flipped := "0"
	if tok[0] == '0' {
		flipped = "1"
	}
	other := signer{secret: []byte("fedcba9876543210fedcba9876543210")}
	for name, bad := range map[string]string{
		"another server's token": other.token(id),
		"no signature":           id,
		"tampered id":            flipped + tok[1:],
		"empty":                  "",
		"upload signature":       id + "." + s.mac("upload", id),
	} {
		if _, err := s.visitor(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLoadSecretPersists(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadSecret("", dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadSecret("", dir)
	if err != nil || string(a) != string(b) || len(a) < 32 {
		t.Fatalf("second load = %q, %v (first %q)", b, err, a)
	}
	if _, err := LoadSecret("short", dir); err == nil {
		t.Fatal("short configured secret accepted")
	}
}

// FuzzVisitorToken: a token from outside either names the visitor whose
// own token it is, or is refused.
func FuzzVisitorToken(f *testing.F) {
	s := signer{secret: []byte("0123456789abcdef0123456789abcdef")}
	f.Add(s.token("0123456789abcdef0123456789abcdef"))
	f.Add("0123456789abcdef0123456789abcdef.")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := s.visitor(tok)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if s.token(id) != tok {
			t.Fatalf("token %q accepted for %q", tok, id)
		}
	})
}

// FuzzCleanFilename: a display name never carries a path, a quote or a
// control character, and is never empty.
func FuzzCleanFilename(f *testing.F) {
	for _, s := range []string{"ktp.png", "../../etc/passwd", `a"b.pdf`, "x\r\ny", "", `C:\\dir\\f.pdf`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := cleanFilename(name)
		if got == "" || strings.ContainsAny(got, "/\\\"") || utf8.RuneCountInString(got) > 120 {
			t.Fatalf("cleanFilename(%q) = %q", name, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("cleanFilename(%q) = %q keeps a control character", name, got)
			}
		}
	})
}
