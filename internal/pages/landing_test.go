package pages

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/brand"
	"tanggap/internal/launcher"
	"tanggap/internal/locale"
)

// LauncherBudget is what a site pays for the launcher before anyone opens
// it: the script and its stylesheet, gzip-compressed (the chat widget is
// loaded only when the chat is opened).
const launcherBudget = 15 << 10

func TestLauncherScriptSizeBudget(t *testing.T) {
	_, site := newApp(t)
	total := 0
	for _, name := range []string{"js/launcher.js", "css/launcher.css"} {
		a, ok := site.assets[name]
		if !ok {
			t.Fatalf("no static file %s", name)
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := zw.Write(a.body); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes, %d compressed", name, len(a.body), buf.Len())
		total += buf.Len()
	}
	if total > launcherBudget {
		t.Errorf("the launcher costs %d bytes compressed, over its budget of %d", total, launcherBudget)
	}
}

func TestLauncherScriptServed(t *testing.T) {
	app, _ := newApp(t)
	r := get(t, app, "/launcher.js", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") || !strings.Contains(r.body, "launcher/menu.json") {
		t.Fatalf("GET /launcher.js = %d %s", r.status, r.header.Get("Content-Type"))
	}
	if cc := r.header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if nm := get(t, app, "/launcher.js", map[string]string{"If-None-Match": r.header.Get("ETag")}); nm.status != http.StatusNotModified {
		t.Errorf("revalidation = %d", nm.status)
	}
}

func newBrandedApp(t *testing.T) *fiber.App {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := brand.Load(brand.Opts{File: filepath.Join("..", "brand", "seed", "demo.yaml"), Phone: "1500-123", WhatsApp: "+6281100001234"})
	if err != nil {
		t.Fatal(err)
	}
	menus := launcher.New(launcher.Opts{Brand: b, Locale: cat, Log: slog.New(slog.DiscardHandler)})
	site := New(Opts{Locale: cat, Log: slog.New(slog.DiscardHandler), Brand: b, Menus: menus})
	app := fiber.New()
	site.Mount(app)
	return app
}

func TestLandingPageWorksWithoutScript(t *testing.T) {
	app := newBrandedApp(t)
	r := get(t, app, "/", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET / = %d", r.status)
	}
	for _, want := range []string{
		`<h1 class="tgl-greeting" id="tgl-greeting">Halo, sobat Kartu Kerja. Pilih menu berikut</h1>`,
		`href="tel:1500123"`, `Bebas pulsa`,
		`href="https://wa.me/6281100001234?text=Halo&#43;Kartu&#43;Kerja%2C&#43;saya&#43;ingin&#43;bertanya."`,
		`href="/chat?lang=id-ID"`, `href="/pengaduan?lang=id-ID"`, `href="/pengaduan/status?lang=id-ID"`,
		`<span class="brand-name">Program Kartu Kerja</span>`, `<title>Hubungi kami · Program Kartu Kerja</title>`,
		`href="/brand.css?v=`, `src="/brand/logo?v=`, `id="privacy-link" href="https://example.go.id/kebijakan-privasi"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("landing page lacks %s", want)
		}
	}
	// Plain links only: no script of the page's own, and no "needs
	// JavaScript" notice.
	if strings.Contains(r.body, `<noscript>`) || strings.Contains(r.body, `src="/static/js/launcher.js`) {
		t.Errorf("the landing page depends on a script")
	}
	en := get(t, app, "/?lang=en-US", nil)
	if !strings.Contains(en.body, "Hello, Kartu Kerja friend. Choose one of the options below") || !strings.Contains(en.body, "Free of charge") {
		t.Errorf("English landing page lacks the English greeting or free-of-charge mark")
	}
}

func TestBrandAssets(t *testing.T) {
	app := newBrandedApp(t)
	css := get(t, app, "/brand.css", nil)
	if css.status != http.StatusOK || !strings.Contains(css.body, "--tg-primary:#0d4f4a") || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /brand.css = %d %q", css.status, css.body)
	}
	logo := get(t, app, "/brand/logo", nil)
	if logo.status != http.StatusOK || logo.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(logo.header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("GET /brand/logo = %d %q %q", logo.status, logo.header.Get("Content-Type"), logo.header.Get("Content-Security-Policy"))
	}
	neutral, _ := newApp(t)
	if r := get(t, neutral, "/brand/logo", nil); r.status != http.StatusNotFound {
		t.Errorf("neutral brand logo = %d, want 404 (the emblem is used)", r.status)
	}
	for _, page := range []string{"/pengaduan", "/pengaduan/status", "/chat"} {
		if body := get(t, app, page, nil).body; !strings.Contains(body, "Program Kartu Kerja") || !strings.Contains(body, `class="page-`) || !strings.Contains(body, " tg-brand\"") {
			t.Errorf("%s does not carry the brand", page)
		}
	}
}

var _ Menus = (*launcher.Service)(nil)

func TestMenusInterface(t *testing.T) {
	cat, _ := locale.Load()
	m := launcher.New(launcher.Opts{Locale: cat}).Menu(context.Background(), locale.Default, time.Now(), true)
	if len(m.Entries) != 3 {
		t.Errorf("neutral menu has %d entries, want chat, form and status", len(m.Entries))
	}
}

func TestMenuHrefKeepsOnlyTheMenusSchemes(t *testing.T) {
	for in, want := range map[string]string{
		"tel:1500123": "tel:1500123", "https://wa.me/62811?text=Halo": "https://wa.me/62811?text=Halo", "/chat?lang=id-ID": "/chat?lang=id-ID",
		"javascript:alert(1)": "#", "//evil.example/": "#", "http://plain.example/": "#", "": "#",
	} {
		if got := string(menuHref(in)); got != want {
			t.Errorf("menuHref(%q) = %q, want %q", in, got, want)
		}
	}
}
