package voice

import (
	"errors"
	"testing"
)

func TestCallbackTargetsAllowList(t *testing.T) {
	def, err := parseTargets(DefaultCallbackTargets)
	if err != nil {
		t.Fatal(err)
	}
	pbx, err := parseTargets([]string{"+62", "sip:pbx.example.id"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		list   targets
		in     string
		want   string
		reject error
	}{
		{"Indonesian number", def, "+6221555000111", "+6221555000111", nil},
		{"trunk prefix", def, "0812-3456-7890", "+6281234567890", nil},
		{"foreign number", def, "+14155550100", "", ErrTargetNotAllowed},
		{"premium-rate abroad", def, "+8819000000", "", ErrTargetNotAllowed},
		{"international prefix 00", def, "0014155550100", "", ErrInvalidTarget},
		{"SIP by default", def, "sip:agen1@pbx.example.id", "", ErrTargetNotAllowed},
		{"listed SIP host", pbx, "sip:agen1@pbx.example.id", "sip:agen1@pbx.example.id", nil},
		{"listed SIP host, other case", pbx, "SIP:agen1@PBX.example.id", "sip:agen1@PBX.example.id", nil},
		{"listed SIP host with port", pbx, "sip:agen1@pbx.example.id:5060", "sip:agen1@pbx.example.id:5060", nil},
		{"other SIP host", pbx, "sip:x@evil.example", "", ErrTargetNotAllowed},
		{"SIP host as a user part", pbx, "sip:pbx.example.id@evil.example", "", ErrTargetNotAllowed},
		{"not a number", def, "halo", "", ErrInvalidTarget},
		{"SIP with spaces", pbx, "sip:a b@pbx.example.id", "", ErrInvalidTarget},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.list.check(tc.in)
			if tc.reject != nil {
				if !errors.Is(err, tc.reject) {
					t.Fatalf("check(%q) = %q, %v; want %v", tc.in, got, err, tc.reject)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("check(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	for _, bad := range [][]string{{"62"}, {"sip:"}, {"sip:a@b"}, {"+62x"}, {"*"}} {
		if _, err := parseTargets(bad); err == nil {
			t.Errorf("allow-list %q accepted", bad)
		}
	}
}

// FuzzCallbackTarget: whatever an agent types as "to", it is refused or
// comes out as a dial target on the allow-list.
func FuzzCallbackTarget(f *testing.F) {
	for _, s := range []string{"+6221555000111", "0812-3456-7890", "sip:a@pbx.example.id", "sip:pbx.example.id@x", "+1", "sip:", "00"} {
		f.Add(s)
	}
	list, err := parseTargets([]string{"+62", "sip:pbx.example.id"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := list.check(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidTarget) && !errors.Is(err, ErrTargetNotAllowed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !validDialTarget(out) {
			t.Fatalf("%q let through as %q, not a dial target", in, out)
		}
		if len(out) > 4 && out[:4] == "sip:" {
			return
		}
		if out[:3] != "+62" {
			t.Fatalf("%q let through as %q, off the list", in, out)
		}
	})
}
