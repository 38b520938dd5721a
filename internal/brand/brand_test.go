package brand

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestContrast(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want float64
	}{
		{"black on white is the maximum", "#000000", "#ffffff", 21},
		{"a colour on itself is the minimum", "#0b5cad", "#0b5cad", 1},
		{"order does not matter", "#ffffff", "#000", 21},
		{"#767676 on white, the lightest grey that passes AA", "#767676", "#ffffff", 4.54},
		{"#777777 on white just fails AA (4.478)", "#777", "#fff", 4.478},
		{"pure red on white", "#ff0000", "#ffffff", 4.0},
		{"the neutral link on white", "#0b5cad", "#ffffff", 6.67},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseColor(tc.a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseColor(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if got := Contrast(a, b); math.Abs(got-tc.want) > 0.005 {
				t.Errorf("Contrast(%s, %s) = %.4f, want %.2f", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestLuminanceEnds(t *testing.T) {
	if l := Luminance(RGB{}); l != 0 {
		t.Errorf("black luminance = %v", l)
	}
	if l := Luminance(RGB{255, 255, 255}); math.Abs(l-1) > 1e-9 {
		t.Errorf("white luminance = %v", l)
	}
	// The linear segment of the sRGB curve (channel <= 0.04045).
	if l := Luminance(RGB{10, 10, 10}); math.Abs(l-10.0/255/12.92) > 1e-9 {
		t.Errorf("dark grey luminance = %v", l)
	}
}

func TestParseColor(t *testing.T) {
	good := map[string]RGB{"#0B5CAD": {0x0b, 0x5c, 0xad}, "#fff": {255, 255, 255}, " #123456 ": {0x12, 0x34, 0x56}}
	for in, want := range good {
		if got, err := ParseColor(in); err != nil || got != want {
			t.Errorf("ParseColor(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0b5cad", "#0b5ca", "#ggg", "red", "rgb(0,0,0)", "#0b5cad00", "#+12345"} {
		if _, err := ParseColor(in); err == nil {
			t.Errorf("ParseColor(%q) accepted", in)
		}
	}
	if got := (RGB{0x0b, 0x5c, 0xad}).Hex(); got != "#0b5cad" {
		t.Errorf("Hex = %s", got)
	}
}

func TestNeutralDefaultsPassAA(t *testing.T) {
	b, err := Load(Opts{})
	if err != nil {
		t.Fatalf("the neutral brand is refused: %v", err)
	}
	if b.Colors != Neutral {
		t.Errorf("colours = %+v, want the neutral ones", b.Colors)
	}
	if b.Name != "" || b.Phone != "" || b.WhatsApp != "" || b.HasLogo() || b.PrivacyURL != "" {
		t.Errorf("the neutral brand names something: %+v", b)
	}
	css, hash := b.CSS()
	if !strings.Contains(string(css), "--tg-primary:#0b3a6e") || len(hash) != 12 {
		t.Errorf("css = %s (hash %q)", css, hash)
	}
}

func writeBrand(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "brand.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadRefusesLowContrast(t *testing.T) {
	tests := []struct {
		name   string
		colors string
		want   []string
	}{
		{"grey text on white header", `{primary: "#ffffff", on_primary: "#777777"}`,
			[]string{"on_primary #777777 on primary #ffffff has a contrast of 4.47:1; WCAG AA needs at least 4.5:1"}},
		{"yellow links", `{link: "#f2b134"}`,
			[]string{"link #f2b134 on white has a contrast of 1.88:1", "link #f2b134 on the page background #f3f5f8"}},
		{"a link that passes on white but not on the page background", `{link: "#757575"}`,
			[]string{"link #757575 on the page background #f3f5f8 has a contrast of 4.2"}},
		{"not a colour", `{primary: "navy"}`, []string{`colors.primary: "navy" is not a colour like #0b5cad`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Opts{File: writeBrand(t, "colors: "+tc.colors+"\n")})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load = %v, want ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestLoadListsEveryProblem(t *testing.T) {
	path := writeBrand(t, "colors: {primary: \"#eeeeee\", link: \"#dddddd\"}\nprivacy_url: javascript:alert(1)\nlogo: missing.svg\n")
	_, err := Load(Opts{File: path})
	var p Problems
	if !errors.As(err, &p) {
		t.Fatalf("Load = %v, want Problems", err)
	}
	if len(p) != 5 { // on_primary, link twice, privacy_url, logo
		t.Errorf("problems = %d, want 5:\n%v", len(p), err)
	}
}

func TestLoadSampleFile(t *testing.T) {
	b, err := Load(Opts{File: filepath.Join("seed", "demo.yaml"), Phone: "1500-123", WhatsApp: "+6281100001234"})
	if err != nil {
		t.Fatalf("the sample brand file is refused: %v", err)
	}
	if b.Name != "Program Kartu Kerja" || b.ShortName != "Kartu Kerja" {
		t.Errorf("names = %q, %q", b.Name, b.ShortName)
	}
	if got := b.Greeting("id-ID"); got != "Halo, sobat Kartu Kerja. Pilih menu berikut" {
		t.Errorf("greeting = %q", got)
	}
	if body, ctype, hash := b.Logo(); len(body) == 0 || ctype != "image/svg+xml" || hash == "" {
		t.Errorf("logo = %d bytes, %q, %q", len(body), ctype, hash)
	}
	if b.PhoneHref != "tel:1500123" {
		t.Errorf("tel link = %q", b.PhoneHref)
	}
	if got, want := b.WhatsAppHref(b.WhatsAppText("id-ID")), "https://wa.me/6281100001234?text=Halo+Kartu+Kerja%2C+saya+ingin+bertanya."; got != want {
		t.Errorf("WhatsApp link = %q, want %q", got, want)
	}
}

func TestConfigurationWinsOverFile(t *testing.T) {
	path := writeBrand(t, "name: Dari Berkas\ngreeting: {id-ID: Halo dari berkas, en-US: Hello from the file}\n")
	b, err := Load(Opts{File: path, ProgramName: "Program Lain", Greeting: "Selamat datang"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "Program Lain" || b.ShortName != "Program Lain" {
		t.Errorf("names = %q, %q; PROGRAM_NAME must win", b.Name, b.ShortName)
	}
	if b.Greeting("id-ID") != "Selamat datang" || b.Greeting("en-US") != "Hello from the file" {
		t.Errorf("greetings = %q, %q", b.Greeting("id-ID"), b.Greeting("en-US"))
	}
}

func TestParseRefusesWhatItDoesNotKnow(t *testing.T) {
	tests := map[string]string{
		"unknown key":          "nmae: Typo\n",
		"unknown language":     "greeting: {fr-FR: Bonjour}\n",
		"name on two lines":    "name: \"a\\nb\"\n",
		"name too long":        "name: " + strings.Repeat("a", 121) + "\n",
		"not UTF-8":            "name: \xff\xfe\n",
		"not a mapping":        "- a\n- b\n",
		"greeting too long":    "greeting: {id-ID: " + strings.Repeat("b", 301) + "}\n",
		"larger than the file": "name: x\n# " + strings.Repeat("x", MaxFileBytes) + "\n",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(body)); !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse = %v, want ErrInvalid", err)
			}
		})
	}
	if f, err := Parse([]byte(`{"name": "JSON too", "colors": {"primary": "#000000"}}`)); err != nil || f.Name != "JSON too" || f.Colors.Primary != "#000000" {
		t.Errorf("JSON brand file: %+v, %v", f, err)
	}
	if _, err := Parse(nil); err != nil {
		t.Errorf("an empty file: %v", err)
	}
}

func TestLogoTypeFromBytes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "logo.svg"), []byte("#!/bin/sh\necho not an image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(path, []byte("logo: logo.svg\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Opts{File: path})
	if err == nil || !strings.Contains(err.Error(), "use SVG, PNG, JPEG or WebP") {
		t.Errorf("Load = %v, want the logo refused by its bytes", err)
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("seed", "demo.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"name": "x", "colors": {"primary": "#fff"}}`))
	f.Add([]byte("greeting: {id-ID: [1, 2]}\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		file, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error %v does not match ErrInvalid", err)
			}
			return
		}
		// Whatever Parse accepts holds to its limits.
		for _, s := range []string{file.Name, file.ShortName} {
			if len([]rune(s)) > maxNameRunes || strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("accepted name %q", s)
			}
		}
		for lang := range file.Greeting {
			if !languages[lang] {
				t.Fatalf("accepted language %q", lang)
			}
		}
		for _, c := range []string{file.Colors.Primary, file.Colors.OnPrimary, file.Colors.Link} {
			if c != "" {
				_, _ = ParseColor(c) // must not panic
			}
		}
	})
}
