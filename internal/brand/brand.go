// Package brand is the look and the words of the program a deployment
// serves: its name and short name, the launcher's greeting, logo,
// colours, privacy-notice link and the numbers citizens call and write
// to. The launcher, the landing page, the chat widget, the complaint form
// and the status page all read it from here, so a second program is a
// second configuration, not a fork.
//
// It comes from the configuration (PROGRAM_NAME, PROGRAM_GREETING,
// CONTACT_PHONE, CONTACT_WHATSAPP) and a brand file (BRAND_FILE, YAML or
// JSON; see Load). Colours are checked at start: every pair that carries
// text must reach WCAG AA contrast (4.5:1), else Load refuses the
// configuration and says which pair fails and by how much. Nothing set
// keeps the neutral defaults (the product's own name and colours).
package brand

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrInvalid is matched by errors.Is on every refusal of Load.
var ErrInvalid = errors.New("brand: invalid")

// Problems lists everything wrong with a brand configuration at once.
type Problems []string

func (p Problems) Error() string {
	return "brand configuration is invalid:\n  - " + strings.Join(p, "\n  - ")
}

// Is lets errors.Is(err, ErrInvalid) match.
func (p Problems) Is(target error) bool { return target == ErrInvalid }

// Colors are the brand's colours. Primary is the background of headers,
// the launcher button and main buttons, with OnPrimary text on it; Link is
// the colour of links and outlined buttons on the pages' white and light
// grey backgrounds.
type Colors struct {
	Primary   string `yaml:"primary" json:"primary"`
	OnPrimary string `yaml:"on_primary" json:"on_primary"`
	Link      string `yaml:"link" json:"link"`
}

// Neutral colours: the product's own, used for any colour not set.
var Neutral = Colors{Primary: "#0b3a6e", OnPrimary: "#ffffff", Link: "#0b5cad"}

// Backgrounds Link text sits on: the cards and panels (white) and the
// pages' background.
var linkBackgrounds = []struct {
	name  string
	color RGB
}{{"white", RGB{0xff, 0xff, 0xff}}, {"the page background #f3f5f8", RGB{0xf3, 0xf5, 0xf8}}}

// Opts is what the configuration says (see config.Brand).
type Opts struct {
	ProgramName string
	Greeting    string // in Bahasa Indonesia (locale.Default)
	Phone       string // toll-free number as shown
	WhatsApp    string // E.164
	File        string // path of the brand file; empty: none
}

// Brand is a checked brand, read-only after Load.
type Brand struct {
	// Name is the program's name; empty: the product's own (the caller
	// shows the "app.name" text).
	Name string
	// ShortName is how the launcher and the chat widget name the program
	// where space is short; it falls back to Name.
	ShortName string
	// Phone is the toll-free number as shown; PhoneHref its tel: link.
	Phone, PhoneHref string
	// WhatsApp is the business number in E.164; empty: no WhatsApp entry.
	WhatsApp string
	Colors   Colors // every colour set (neutral where the file is silent)
	// PrivacyURL is the privacy notice (https URL or a path on this site);
	// empty: none given.
	PrivacyURL string

	greeting     map[string]string // by language
	whatsAppText map[string]string // by language
	logo         []byte
	logoType     string
	logoHash     string
	css          []byte
	cssHash      string
}

// NeutralBrand is the brand with nothing configured.
func NeutralBrand() *Brand {
	b, err := Load(Opts{})
	if err != nil {
		panic(err) // the neutral colours are checked by the package tests
	}
	return b
}

// Load builds the brand from the configuration and the brand file, and
// checks it. Every problem is listed at once (Problems, matching
// ErrInvalid); a file that cannot be read is an error of its own.
func Load(o Opts) (*Brand, error) {
	var f File
	var dir string
	if o.File != "" {
		var err error
		f, dir, err = ReadFile(o.File)
		if err != nil {
			return nil, err
		}
	}
	var p Problems
	b := &Brand{
		Name:         firstOf(o.ProgramName, f.Name),
		ShortName:    firstOf(f.ShortName, o.ProgramName, f.Name),
		WhatsApp:     o.WhatsApp,
		greeting:     map[string]string{},
		whatsAppText: map[string]string{},
	}
	for lang, s := range f.Greeting {
		b.greeting[lang] = strings.TrimSpace(s)
	}
	if o.Greeting != "" {
		b.greeting[defaultLang] = o.Greeting
	}
	for lang, s := range f.WhatsAppText {
		b.whatsAppText[lang] = strings.TrimSpace(s)
	}
	if o.Phone != "" {
		b.Phone = o.Phone
		b.PhoneHref = telHref(o.Phone)
	}
	b.Colors = Colors{Primary: firstOf(f.Colors.Primary, Neutral.Primary), OnPrimary: firstOf(f.Colors.OnPrimary, Neutral.OnPrimary),
		Link: firstOf(f.Colors.Link, Neutral.Link)}
	p = append(p, checkColors(b.Colors)...)
	if f.PrivacyURL != "" {
		if ok := privacyLink(f.PrivacyURL); !ok {
			p = append(p, fmt.Sprintf("privacy_url: %q must be an https:// address or a path on this site starting with /", f.PrivacyURL))
		} else {
			b.PrivacyURL = f.PrivacyURL
		}
	}
	if f.Logo != "" {
		logo, ctype, err := readLogo(dir, f.Logo)
		if err != nil {
			p = append(p, err.Error())
		} else {
			b.logo, b.logoType = logo, ctype
			b.logoHash = shortHash(logo)
		}
	}
	if len(p) > 0 {
		return nil, p
	}
	b.css = renderCSS(b.Colors)
	b.cssHash = shortHash(b.css)
	return b, nil
}

// defaultLang is locale.Default; PROGRAM_GREETING is written in it.
const defaultLang = "id-ID"

// checkColors holds every text-carrying pair to WCAG AA.
func checkColors(c Colors) Problems {
	var p Problems
	parsed := map[string]RGB{}
	for _, f := range []struct{ name, value string }{{"primary", c.Primary}, {"on_primary", c.OnPrimary}, {"link", c.Link}} {
		rgb, err := ParseColor(f.value)
		if err != nil {
			p = append(p, "colors."+f.name+": "+err.Error())
			continue
		}
		parsed[f.name] = rgb
	}
	if len(p) > 0 {
		return p
	}
	if r := Contrast(parsed["on_primary"], parsed["primary"]); !passes(r) {
		p = append(p, fmt.Sprintf("colors: on_primary %s on primary %s has a contrast of %.2f:1; WCAG AA needs at least %.1f:1 for text (headers, the launcher button, main buttons)",
			c.OnPrimary, c.Primary, math2(r), MinTextContrast))
	}
	for _, bg := range linkBackgrounds {
		if r := Contrast(parsed["link"], bg.color); !passes(r) {
			p = append(p, fmt.Sprintf("colors: link %s on %s has a contrast of %.2f:1; WCAG AA needs at least %.1f:1 for text (links, outlined buttons)",
				c.Link, bg.name, math2(r), MinTextContrast))
		}
	}
	return p
}

// math2 rounds down to two decimals, so the message never shows a
// passing figure for a failing ratio.
func math2(r float64) float64 { return float64(int(r*100)) / 100 }

// Greeting is the brand's greeting in lang ("" when none is set; the
// caller shows its own text).
func (b *Brand) Greeting(lang string) string { return b.greeting[lang] }

// WhatsAppText is the message prefilled in WhatsApp in lang ("" when the
// file sets none).
func (b *Brand) WhatsAppText(lang string) string { return b.whatsAppText[lang] }

// WhatsAppHref is the click-to-chat link to the business number with text
// prefilled ("" when no number is set).
func (b *Brand) WhatsAppHref(text string) string {
	if b.WhatsApp == "" {
		return ""
	}
	u := "https://wa.me/" + strings.TrimPrefix(b.WhatsApp, "+")
	if text != "" {
		u += "?text=" + url.QueryEscape(text)
	}
	return u
}

// HasLogo reports whether the brand file gave a logo.
func (b *Brand) HasLogo() bool { return len(b.logo) > 0 }

// Logo is the logo file, its content type and a short hash of it.
func (b *Brand) Logo() (body []byte, ctype, hash string) { return b.logo, b.logoType, b.logoHash }

// CSS is the brand's stylesheet: the colours as custom properties of the
// pages (.tg-brand), the chat widget (.tgc) and the launcher (.tgl), so
// nothing leaks into a host site's own variables. hash changes with it.
func (b *Brand) CSS() (body []byte, hash string) { return b.css, b.cssHash }

func renderCSS(c Colors) []byte {
	return []byte(".tg-brand,.tgc,.tgl{--tg-primary:" + c.Primary + ";--tg-on-primary:" + c.OnPrimary + ";--tg-link:" + c.Link + "}\n")
}

func telHref(phone string) string {
	var b strings.Builder
	b.WriteString("tel:")
	for _, r := range phone {
		if (r >= '0' && r <= '9') || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func privacyLink(s string) bool {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return !strings.ContainsAny(s, " \t\r\n\"'<>\\")
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func shortHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}
