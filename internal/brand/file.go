package brand

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// File is what a brand file (BRAND_FILE) holds, YAML or JSON:
//
//	name: Program Kartu Kerja          # PROGRAM_NAME wins
//	short_name: Kartu Kerja
//	greeting:                          # PROGRAM_GREETING wins for id-ID
//	  id-ID: Halo, sobat Kartu Kerja. Pilih menu berikut
//	  en-US: Hello, Kartu Kerja friend. Choose from the menu below
//	whatsapp_text:                     # prefilled in WhatsApp
//	  id-ID: Halo Kartu Kerja, saya ingin bertanya.
//	logo: logo.svg                     # beside the file: SVG, PNG, JPEG or WebP, at most 256 KiB
//	colors: {primary: "#7a1f5c", on_primary: "#ffffff", link: "#7a1f5c"}
//	privacy_url: https://example.go.id/privasi
//
// Unknown keys are refused, so a typo is not silently ignored.
type File struct {
	Name         string            `yaml:"name" json:"name"`
	ShortName    string            `yaml:"short_name" json:"short_name"`
	Greeting     map[string]string `yaml:"greeting" json:"greeting"`
	WhatsAppText map[string]string `yaml:"whatsapp_text" json:"whatsapp_text"`
	Logo         string            `yaml:"logo" json:"logo"`
	Colors       Colors            `yaml:"colors" json:"colors"`
	PrivacyURL   string            `yaml:"privacy_url" json:"privacy_url"`
}

// Limits of a brand file.
const (
	MaxFileBytes = 64 << 10
	MaxLogoBytes = 256 << 10
	maxNameRunes = 120
	maxTextRunes = 300
)

// Languages a greeting or a WhatsApp text may be given in (locale.Languages).
var languages = map[string]bool{"id-ID": true, "en-US": true}

// ReadFile reads and parses the brand file at path; dir is its folder
// (a logo is named relative to it).
func ReadFile(path string) (File, string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return File{}, "", fmt.Errorf("%w: BRAND_FILE: %v", ErrInvalid, err)
	}
	defer fh.Close()
	raw, err := io.ReadAll(io.LimitReader(fh, MaxFileBytes+1))
	if err != nil {
		return File{}, "", fmt.Errorf("%w: BRAND_FILE: %v", ErrInvalid, err)
	}
	f, err := Parse(raw)
	if err != nil {
		return File{}, "", fmt.Errorf("BRAND_FILE %s: %w", path, err)
	}
	return f, filepath.Dir(path), nil
}

// Parse reads a brand file's bytes (YAML, of which JSON is a subset) and
// checks its shape: known keys only, languages it knows, lengths. Colours
// and the logo are checked by Load.
func Parse(raw []byte) (File, error) {
	var f File
	if len(raw) > MaxFileBytes {
		return f, fmt.Errorf("%w: the file is larger than %d KiB", ErrInvalid, MaxFileBytes>>10)
	}
	if !utf8.Valid(raw) {
		return f, fmt.Errorf("%w: the file is not UTF-8 text", ErrInvalid)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return File{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var p Problems
	for _, v := range []struct {
		key, value string
		max        int
	}{{"name", f.Name, maxNameRunes}, {"short_name", f.ShortName, maxNameRunes}, {"logo", f.Logo, 255}, {"privacy_url", f.PrivacyURL, 500}} {
		if utf8.RuneCountInString(v.value) > v.max {
			p = append(p, fmt.Sprintf("%s must be at most %d characters", v.key, v.max))
		}
		if strings.ContainsAny(v.value, "\x00\r\n") {
			p = append(p, v.key+" must be one line")
		}
	}
	for _, m := range []struct {
		key  string
		vals map[string]string
	}{{"greeting", f.Greeting}, {"whatsapp_text", f.WhatsAppText}} {
		for lang, s := range m.vals {
			if !languages[lang] {
				p = append(p, fmt.Sprintf("%s: %q is not a language (id-ID or en-US)", m.key, lang))
			}
			if utf8.RuneCountInString(s) > maxTextRunes {
				p = append(p, fmt.Sprintf("%s.%s must be at most %d characters", m.key, lang, maxTextRunes))
			}
			if strings.ContainsRune(s, 0) {
				p = append(p, fmt.Sprintf("%s.%s must be text", m.key, lang))
			}
		}
	}
	if len(p) > 0 {
		return File{}, p
	}
	return f, nil
}

// Logo types accepted, by the type read from the bytes.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true, "image/svg+xml": true}

// readLogo reads the logo named in the brand file (relative to its
// folder) and tells its type from the bytes.
func readLogo(dir, name string) ([]byte, string, error) {
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	fh, err := os.Open(p)
	if err != nil {
		return nil, "", fmt.Errorf("logo: %v", err)
	}
	defer fh.Close()
	body, err := io.ReadAll(io.LimitReader(fh, MaxLogoBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("logo: %v", err)
	}
	if len(body) > MaxLogoBytes {
		return nil, "", fmt.Errorf("logo: %s is larger than %d KiB", name, MaxLogoBytes>>10)
	}
	ctype := sniffLogo(body)
	if !logoTypes[ctype] {
		return nil, "", fmt.Errorf("logo: %s is %s; use SVG, PNG, JPEG or WebP", name, ctype)
	}
	return body, ctype, nil
}

func sniffLogo(body []byte) string {
	ctype, _, _ := strings.Cut(http.DetectContentType(body), ";")
	if ctype == "text/xml" || ctype == "text/plain" {
		head := bytes.ToLower(body[:min(len(body), 1024)])
		if bytes.Contains(head, []byte("<svg")) {
			return "image/svg+xml"
		}
	}
	return ctype
}
