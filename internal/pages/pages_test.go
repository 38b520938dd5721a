package pages

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/locale"
)

func newApp(t *testing.T) (*fiber.App, *Site) {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatalf("locale.Load: %v", err)
	}
	site := New(Opts{Locale: cat, Log: slog.New(slog.DiscardHandler), AttachmentMaxFiles: 4, AttachmentMaxBytes: 7 << 20})
	app := fiber.New()
	site.Mount(app)
	return app, site
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, app *fiber.App, target string, hdr map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", target, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func TestPagesRenderInTheRequestedLanguage(t *testing.T) {
	app, _ := newApp(t)
	tests := []struct {
		name      string
		target    string
		hdr       map[string]string
		wantLang  string
		wantTitle string
	}{
		{"complaint form defaults to Indonesian", "/pengaduan", nil, "id", "Sampaikan pengaduan Anda"},
		{"complaint form follows Accept-Language", "/pengaduan", map[string]string{"Accept-Language": "en-GB,en;q=0.9"}, "en", "Submit your complaint"},
		{"query beats Accept-Language", "/pengaduan?lang=id-ID", map[string]string{"Accept-Language": "en"}, "id", "Sampaikan pengaduan Anda"},
		{"cookie beats Accept-Language", "/pengaduan", map[string]string{"Accept-Language": "id", "Cookie": "lang=en-US"}, "en", "Submit your complaint"},
		{"query beats cookie", "/pengaduan?lang=id-ID", map[string]string{"Cookie": "lang=en-US"}, "id", "Sampaikan pengaduan Anda"},
		{"bad query value is skipped", "/pengaduan?lang=xx", map[string]string{"Cookie": "lang=en-US"}, "en", "Submit your complaint"},
		{"status page in Indonesian", "/pengaduan/status", nil, "id", "Cek status pengaduan"},
		{"status page in English", "/pengaduan/status?lang=en-US", nil, "en", "Check complaint status"},
		{"console in Indonesian", "/console", nil, "id", "Masuk ke konsol petugas"},
		{"console in English", "/console", map[string]string{"Accept-Language": "en-US"}, "en", "Sign in to the agent console"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, app, tc.target, tc.hdr)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, body %q", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q", ct)
			}
			if !strings.Contains(r.body, `<html lang="`+tc.wantLang+`"`) {
				t.Errorf("page is not marked lang=%q", tc.wantLang)
			}
			if !strings.Contains(r.body, tc.wantTitle) {
				t.Errorf("page lacks %q", tc.wantTitle)
			}
			if strings.Contains(r.body, "ZgotmplZ") {
				t.Error("html/template rejected a value (ZgotmplZ in output)")
			}
		})
	}
}

func TestLangQuerySetsCookie(t *testing.T) {
	app, _ := newApp(t)
	r := get(t, app, "/pengaduan?lang=en", nil)
	c := r.header.Get("Set-Cookie")
	if !strings.Contains(c, "lang=en-US") || !strings.Contains(strings.ToLower(c), "httponly") || !strings.Contains(strings.ToLower(c), "samesite=lax") {
		t.Errorf("Set-Cookie = %q, want an HttpOnly, SameSite=Lax lang=en-US cookie", c)
	}
	for _, target := range []string{"/pengaduan", "/pengaduan?lang=fr"} {
		if c := get(t, app, target, nil).header.Get("Set-Cookie"); c != "" {
			t.Errorf("GET %s set cookie %q, want none", target, c)
		}
	}
	if c := get(t, app, "/pengaduan?lang=en-US", map[string]string{"Cookie": "lang=en-US"}).header.Get("Set-Cookie"); c != "" {
		t.Errorf("cookie already right, but Set-Cookie = %q", c)
	}
}

func TestLang(t *testing.T) {
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(Lang(c)) })
	tests := []struct {
		name   string
		target string
		hdr    map[string]string
		want   string
	}{
		{"nothing given", "/", nil, locale.Default},
		{"accept-language english", "/", map[string]string{"Accept-Language": "en"}, locale.English},
		{"cookie", "/", map[string]string{"Cookie": "lang=en-US"}, locale.English},
		{"bad cookie falls to header", "/", map[string]string{"Cookie": "lang=zz", "Accept-Language": "en"}, locale.English},
		{"query", "/?lang=en-US", map[string]string{"Cookie": "lang=id-ID"}, locale.English},
		{"short query tag", "/?lang=id", map[string]string{"Accept-Language": "en"}, locale.Default},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(t, app, tc.target, tc.hdr).body; got != tc.want {
				t.Errorf("Lang = %q, want %q", got, tc.want)
			}
		})
	}
}

var scriptTagRE = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)

func TestPagesAreSafeByHeaderAndMarkup(t *testing.T) {
	app, _ := newApp(t)
	for _, target := range []string{"/pengaduan", "/pengaduan/status", "/console"} {
		t.Run(target, func(t *testing.T) {
			r := get(t, app, target, nil)
			csp := r.header.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP %q allows inline or eval", csp)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
				if got := r.header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if v := r.header.Get("Vary"); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Cookie") {
				t.Errorf("Vary = %q, want Accept-Language and Cookie", v)
			}
			scripts := scriptTagRE.FindAllStringSubmatch(r.body, -1)
			extra := 0
			if target == "/console" {
				extra = len(pageFiles[pageConsole].extra)
			}
			if target == "/pengaduan/status" {
				extra = len(pageFiles[pageStatus].extra) // csat: the rating card
			}
			if want := 3 + extra; len(scripts) != want {
				t.Errorf("found %d script elements, want %d (texts, common.js, page scripts)", len(scripts), want)
			}
			for _, s := range scripts {
				attrs, content := s[1], strings.TrimSpace(s[2])
				if strings.Contains(attrs, `type="application/json"`) {
					continue
				}
				if !strings.Contains(attrs, "src=") || content != "" {
					t.Errorf("inline script %q: the CSP would block it", s[0])
				}
			}
			for _, attr := range []string{"onclick=", "onload=", "onsubmit=", "onchange=", "style="} {
				if strings.Contains(r.body, attr) {
					t.Errorf("page uses inline %s, which the CSP blocks", attr)
				}
			}
		})
	}
}

var i18nBlobRE = regexp.MustCompile(`(?s)<script type="application/json" id="i18n">(.*?)</script>`)

func TestPageHandsTextsToScripts(t *testing.T) {
	app, _ := newApp(t)
	r := get(t, app, "/console?lang=en-US", nil)
	m := i18nBlobRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no i18n JSON blob in the page")
	}
	var texts map[string]string
	if err := json.Unmarshal([]byte(m[1]), &texts); err != nil {
		t.Fatalf("i18n blob is not JSON: %v\n%s", err, m[1][:min(200, len(m[1]))])
	}
	if texts["console.reply_sent"] != "Your reply is queued for delivery." {
		t.Errorf("blob console.reply_sent = %q", texts["console.reply_sent"])
	}
	if strings.Contains(m[1], "</") {
		t.Error("blob contains </, which could end the script element early")
	}
}

// TestConsoleQueueBoardMarkup: the queue board and its tab come hidden
// (console/board.js shows them to supervisors and admins only), labelled in the
// page's language.
func TestConsoleQueueBoardMarkup(t *testing.T) {
	app, _ := newApp(t)
	tests := []struct {
		name, target     string
		wantTab, wantCol string
	}{
		{"Indonesian by default", "/console", ">Antrean</button>", ">Menunggu</th>"},
		{"English on request", "/console?lang=en-US", ">Queues</button>", ">Waiting</th>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := get(t, app, tc.target, nil).body
			for _, want := range []string{
				`id="console-tabs" role="tablist"`,
				`id="board-view" role="tabpanel" aria-labelledby="tab-board" hidden>`,
				tc.wantTab, tc.wantCol,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("console page lacks %q", want)
				}
			}
			if !regexp.MustCompile(`id="console-tabs"[^>]*\bhidden>`).MatchString(body) {
				t.Error("the console tabs are not hidden until the signed-in role is known")
			}
		})
	}
}

func TestComplaintFormShowsLimits(t *testing.T) {
	app, _ := newApp(t)
	r := get(t, app, "/pengaduan?lang=en-US", nil)
	for _, want := range []string{`data-max-files="4"`, `data-max-bytes="7340032"`, `data-max-mb="7"`, "Up to 4 JPEG, PNG or PDF files, at most 7 MB each."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
}

func TestStatusPagePrefill(t *testing.T) {
	app, _ := newApp(t)
	tests := []struct {
		name, tn, want string
	}{
		{"tracking number is prefilled", "1234-5678-9012-3456", `value="1234-5678-9012-3456"`},
		{"markup is refused", `"><script>alert(1)</script>`, `value=""`},
		{"letters are refused", "abcd", `value=""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, app, "/pengaduan/status?tn="+urlQueryEscape(tc.tn), nil)
			if !strings.Contains(r.body, tc.want) {
				t.Errorf("page lacks %s", tc.want)
			}
			if strings.Contains(r.body, "<script>alert") {
				t.Error("query text reached the page unescaped")
			}
		})
	}
	r := get(t, app, "/pengaduan/status?tn=1234-5678-9012-3456", nil)
	if !strings.Contains(r.body, `href="/pengaduan/status?lang=en-US&amp;tn=1234-5678-9012-3456"`) {
		t.Error("language switch does not keep the tracking number")
	}
}

func urlQueryEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "+", "%2B", " ", "+", `"`, "%22", "<", "%3C", ">", "%3E")
	return r.Replace(s)
}

func TestRootRedirects(t *testing.T) {
	app, _ := newApp(t)
	tests := []struct{ target, want string }{
		{"/", "/pengaduan"},
		{"/?lang=en", "/pengaduan?lang=en-US"},
	}
	for _, tc := range tests {
		r := get(t, app, tc.target, nil)
		if r.status != http.StatusFound || r.header.Get("Location") != tc.want {
			t.Errorf("GET %s = %d Location %q, want 302 %q", tc.target, r.status, r.header.Get("Location"), tc.want)
		}
	}
}

var assetURLRE = regexp.MustCompile(`(?:src|href)="(/static/[^"?]+)\?v=([0-9a-f]+)"`)

func TestStaticAssets(t *testing.T) {
	app, _ := newApp(t)
	seen := map[string]string{}
	for _, page := range []string{"/pengaduan", "/pengaduan/status", "/console"} {
		for _, m := range assetURLRE.FindAllStringSubmatch(get(t, app, page, nil).body, -1) {
			seen[m[1]] = m[2]
		}
	}
	for _, want := range []string{"/static/css/app.css", "/static/js/common.js", "/static/js/pengaduan.js", "/static/js/status.js", "/static/js/console/main.js", "/static/img/emblem.svg"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("no page links %s", want)
		}
	}
	types := map[string]string{".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
	for path, hash := range seen {
		t.Run(path, func(t *testing.T) {
			r := get(t, app, path+"?v="+hash, nil)
			if r.status != http.StatusOK || r.body == "" {
				t.Fatalf("status %d, %d bytes", r.status, len(r.body))
			}
			ext := path[strings.LastIndex(path, "."):]
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, types[ext]) {
				t.Errorf("Content-Type = %q, want %s", ct, types[ext])
			}
			if cc := r.header.Get("Cache-Control"); cc != cacheImmutable {
				t.Errorf("versioned Cache-Control = %q", cc)
			}
			if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if cc := get(t, app, path, nil).header.Get("Cache-Control"); cc != cacheRevalidate {
				t.Errorf("unversioned Cache-Control = %q", cc)
			}
			if cc := get(t, app, path+"?v=stale", nil).header.Get("Cache-Control"); cc != cacheRevalidate {
				t.Errorf("stale-version Cache-Control = %q", cc)
			}
			etag := r.header.Get("ETag")
			if nm := get(t, app, path, map[string]string{"If-None-Match": etag}); nm.status != http.StatusNotModified || nm.body != "" {
				t.Errorf("If-None-Match %s: status %d, %d bytes", etag, nm.status, len(nm.body))
			}
		})
	}
	for _, missing := range []string{"/static/nope.js", "/static/../embed.go", "/static/templates/layout.html"} {
		if r := get(t, app, missing, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", missing, r.status)
		}
	}
}

func TestBuildRejectsMissingLocale(t *testing.T) {
	if _, err := build(Opts{}); err == nil {
		t.Error("build without a catalog succeeded")
	}
}

var importRE = regexp.MustCompile(`(?m)^import\s[^'"]*['"]([^'"]+)['"];`)

// TestConsoleModulesResolve: the console page loads its entry as an ES
// module, and every module it imports, directly or not, is a static file
// served as JavaScript (a missing one would stop the whole console).
func TestConsoleModulesResolve(t *testing.T) {
	app, site := newApp(t)
	body := get(t, app, "/console", nil).body
	entry, err := site.assetURL(pageFiles[pageConsole].script)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `<script type="module" src="`+entry+`"></script>`) {
		t.Fatalf("the console does not load %s as a module", entry)
	}
	seen := map[string]bool{}
	todo := []string{"js/console/main.js"}
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		r := get(t, app, "/static/"+name, nil)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
			t.Errorf("/static/%s: status %d, type %q", name, r.status, r.header.Get("Content-Type"))
			continue
		}
		for _, m := range importRE.FindAllStringSubmatch(r.body, -1) {
			if !strings.HasPrefix(m[1], "./") {
				t.Errorf("%s imports %q: only same-folder relative imports resolve without a build", name, m[1])
				continue
			}
			todo = append(todo, "js/console/"+strings.TrimPrefix(m[1], "./"))
		}
	}
	if len(seen) < 8 {
		t.Errorf("found %d console modules, want the entry and its views", len(seen))
	}
}
