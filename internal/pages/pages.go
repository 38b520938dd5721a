// Package pages serves the HTML pages of tanggap (the complaint form, the
// status page and the agent console) and their static assets. Pages are
// server-rendered with html/template in the visitor's language; the little
// JavaScript they carry talks to the JSON API and gets its texts from a JSON
// blob in the page, so no text is written in code and no script is inline
// (the Content-Security-Policy forbids inline script).
package pages

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels/webform"
	"tanggap/internal/brand"
	"tanggap/internal/identity"
	"tanggap/internal/launcher"
	"tanggap/internal/locale"
	"tanggap/web"
)

// Opts configures the pages.
type Opts struct {
	Locale *locale.Catalog
	Log    *slog.Logger
	// Attachment limits shown on the complaint form and checked in the
	// browser before upload; the API enforces them again. Zero: 3 files
	// of 5 MB, the configuration defaults.
	AttachmentMaxFiles int
	AttachmentMaxBytes int64
	// FS holds templates/ and static/; nil means the embedded web.FS.
	FS fs.FS
	// Brand is the program's name, logo, colours and privacy link on
	// every page (nil: the neutral brand).
	Brand *brand.Brand
	// Menus is the launcher's menu, the landing page at / (nil: / sends
	// visitors to the complaint form).
	Menus Menus
	// StatusLinks opens the signed links of citizen notifications (nil:
	// no link route).
	StatusLinks StatusLinks
	// Texts adds texts kept in the database to each page's (nil: none).
	Texts Texts
}

// Texts gives texts kept in the database, by translation key, in a
// language (category.Service: the complaint categories' labels).
type Texts interface {
	Texts(ctx context.Context, lang string) (map[string]string, error)
}

// Menus gives the launcher's menu in a language (launcher.Service).
type Menus interface {
	Menu(ctx context.Context, lang string, now time.Time, sameSite bool) launcher.Menu
}

// Site renders the pages. It is read-only after New and safe for
// concurrent use.
type Site struct {
	o      Opts
	assets map[string]asset
	// pages[lang][page] is a template set of the layout plus one page,
	// built per language so templates call {{t "key"}} without passing
	// the language around.
	pages map[string]map[string]*template.Template
}

// The pages, by the template file that holds their content, the script
// they load and any further scripts (parts of a page kept in their own
// file). A module script is loaded with type="module" and imports its
// parts itself (the console: js/console/*.js).
var pageFiles = map[string]struct {
	file, script string
	extra        []string
	module       bool
}{
	pageComplaint: {"templates/pengaduan.html", "js/pengaduan.js", nil, false},
	pageStatus:    {"templates/status.html", "js/status.js", []string{"js/csat-card.js"}, false}, // csat: the rating card
	pageConsole:   {"templates/console.html", "js/console/main.js", nil, true},
	pageChat:      {"templates/chat.html", "js/livechat-widget.js", nil, false},
	pageLanding:   {"templates/landing.html", "", nil, false},
}

const (
	pageComplaint = "pengaduan"
	pageStatus    = "status"
	pageConsole   = "console"
	pageChat      = "chat"
	pageLanding   = "landing"
)

// New parses the templates and reads the static files. They are embedded
// in the binary, so a failure is a build mistake (the package tests catch
// it) and New panics, like template.Must.
func New(o Opts) *Site {
	s, err := build(o)
	if err != nil {
		panic(err)
	}
	return s
}

func build(o Opts) (*Site, error) {
	if o.Locale == nil {
		return nil, fmt.Errorf("pages: Opts.Locale is required")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.AttachmentMaxFiles <= 0 {
		o.AttachmentMaxFiles = 3
	}
	if o.AttachmentMaxBytes <= 0 {
		o.AttachmentMaxBytes = 5 << 20
	}
	if o.FS == nil {
		o.FS = web.FS
	}
	if o.Brand == nil {
		o.Brand = brand.NeutralBrand()
	}
	static, err := fs.Sub(o.FS, "static")
	if err != nil {
		return nil, fmt.Errorf("pages: static: %w", err)
	}
	s := &Site{o: o, pages: map[string]map[string]*template.Template{}}
	if s.assets, err = loadAssets(static); err != nil {
		return nil, err
	}
	for _, lang := range locale.Languages() {
		s.pages[lang] = map[string]*template.Template{}
		for name, pf := range pageFiles {
			t, err := template.New("").Funcs(s.funcs(lang)).ParseFS(o.FS, "templates/layout.html", pf.file)
			if err != nil {
				return nil, fmt.Errorf("pages: parse %s: %w", pf.file, err)
			}
			s.pages[lang][name] = t
		}
	}
	return s, nil
}

func (s *Site) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":     func(key string, args ...any) string { return s.o.Locale.T(lang, key, args...) },
		"asset": s.assetURL,
		"href":  menuHref,
	}
}

// Mount adds the page routes and /static/*. It registers no middleware on
// r, so the security headers of pages do not leak onto other routes.
func (s *Site) Mount(r fiber.Router) {
	r.Get("/", s.handleRoot)
	r.Get("/pengaduan", s.handleComplaint)
	r.Get("/pengaduan/status", s.handleStatus)
	if s.o.StatusLinks != nil {
		r.Get("/pengaduan/status/link/:token", s.handleStatusLink) // notify: signed links
	}
	r.Get("/console", s.handleConsole)
	r.Get("/chat", s.handleChat)
	r.Get("/static/*", s.handleStatic)
	// launcher: the embeddable script and the brand's assets.
	r.Get("/launcher.js", s.handleLauncherScript)
	r.Get("/brand.css", s.handleBrandCSS)
	r.Get("/brand/logo", s.handleBrandLogo)
}

// langLink is one entry of the language switch.
type langLink struct {
	Lang, HTMLLang, Label, URL string
	Current                    bool
}

// view is what the layout and every page template read.
type view struct {
	Lang      string
	HTMLLang  string
	Page      string
	TitleKey  string
	Script    string
	Scripts   []string // further scripts of the page
	Module    bool     // Script is an ES module
	Console   bool
	LangLinks []langLink
	// I18N is every text of the language, for the page's script. The
	// template writes it as JSON in a non-executed script element.
	I18N map[string]string

	// Complaint form; MaxName and MaxDescription are the server's limits
	// (webform), so the form stops where the server would refuse.
	MaxFiles       int
	MaxBytes       int64
	MaxMB          int64
	MaxName        int
	MaxDescription int
	// Status page: tracking number from ?tn=.
	TN string
	// Status page opened by a signed link (statuslink.go): the contact
	// prefilled and the lookup run at once, or why the link was refused.
	Contact      string
	AutoLookup   bool
	LinkErrorKey string

	// Brand on every page: name (empty: the product's), logo, stylesheet
	// and privacy link.
	Brand brandView
	// Landing page: the launcher's menu.
	Menu launcher.Menu
	// Chat page: the live chat's entry when it is closed (chatHours).
	ChatHours *launcher.Entry
	// Console: the provinces its ticket filter offers by name.
	Provinces []identity.Province
}

type brandView struct {
	Name, Logo, CSS, PrivacyURL string
}

func (s *Site) handleRoot(c *fiber.Ctx) error {
	if s.o.Menus != nil {
		return s.handleLanding(c)
	}
	target := "/pengaduan"
	if l, ok := locale.Normalize(c.Query(LangParam)); ok {
		target += "?" + LangParam + "=" + l
	}
	return c.Redirect(target, fiber.StatusFound)
}

func (s *Site) handleComplaint(c *fiber.Ctx) error {
	v := s.newView(c, pageComplaint, locale.Key("complaint.title"))
	v.MaxFiles = s.o.AttachmentMaxFiles
	v.MaxBytes = s.o.AttachmentMaxBytes
	v.MaxMB = s.o.AttachmentMaxBytes >> 20
	v.MaxName, v.MaxDescription = webform.MaxNameRunes, webform.MaxDescriptionRunes
	return s.render(c, v)
}

func (s *Site) handleStatus(c *fiber.Ctx) error {
	v := s.newView(c, pageStatus, locale.Key("status_page.title"))
	v.TN = cleanTN(c.Query("tn"))
	v.MaxBytes = s.o.AttachmentMaxBytes
	v.MaxMB = s.o.AttachmentMaxBytes >> 20
	return s.render(c, v)
}

// handleChat is the citizens' chat page: the page's script is the widget,
// which opens full page inside #tgc-page (the embed snippet for other
// sites is in the README).
func (s *Site) handleChat(c *fiber.Ctx) error {
	v := s.newView(c, pageChat, locale.Key("livechat.page_title"))
	v.ChatHours = s.chatHours(c, v.Lang)
	return s.render(c, v)
}

// chatHours is the live chat's entry of the launcher's menu when the chat
// is outside its hours, so the page says so (and when agents are back)
// before the citizen writes, as the landing page does; nil when it is
// open or there is no menu.
func (s *Site) chatHours(c *fiber.Ctx, lang string) *launcher.Entry {
	if s.o.Menus == nil {
		return nil
	}
	for _, e := range s.o.Menus.Menu(c.UserContext(), lang, time.Now(), true).Entries {
		if e.Kind == launcher.KindChat && e.State == launcher.StateClosed {
			return &e
		}
	}
	return nil
}

func (s *Site) handleConsole(c *fiber.Ctx) error {
	v := s.newView(c, pageConsole, locale.Key("console.title"))
	v.Console = true
	v.Provinces = identity.Provinces()
	return s.render(c, v)
}

// cleanTN keeps a prefilled tracking number to what one can contain, so
// the field never shows arbitrary text from a link.
func cleanTN(s string) string {
	if len(s) > 40 {
		return ""
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '-' && r != ' ' {
			return ""
		}
	}
	return strings.TrimSpace(s)
}

func (s *Site) newView(c *fiber.Ctx, page, titleKey string) view {
	return s.newViewIn(c, Lang(c), page, titleKey)
}

// newViewIn is newView in lang.
func (s *Site) newViewIn(c *fiber.Ctx, lang, page, titleKey string) view {
	v := view{
		Lang:     lang,
		HTMLLang: locale.HTMLLang(lang),
		Page:     page,
		TitleKey: titleKey,
		Script:   pageFiles[page].script,
		Scripts:  pageFiles[page].extra,
		Module:   pageFiles[page].module,
		I18N:     s.o.Locale.All(lang),
		Brand:    s.brandView(),
	}
	if s.o.Texts != nil {
		extra, err := s.o.Texts.Texts(c.UserContext(), lang)
		if err != nil {
			s.o.Log.Warn("pages: texts from the database unavailable", "err", err) // the files' texts still serve
		}
		for k, t := range extra {
			v.I18N[k] = t
		}
	}
	for _, l := range locale.Languages() {
		v.LangLinks = append(v.LangLinks, langLink{
			Lang:     l,
			HTMLLang: locale.HTMLLang(l),
			Label:    s.o.Locale.T(l, "lang.name"),
			URL:      switchURL(c, l),
			Current:  l == lang,
		})
	}
	return v
}

// switchURL is the current page in another language, other query
// parameters (such as ?tn=) kept.
func switchURL(c *fiber.Ctx, lang string) string {
	q := url.Values{}
	for k, v := range c.Context().QueryArgs().All() {
		if string(k) != LangParam {
			q.Add(string(k), string(v))
		}
	}
	q.Set(LangParam, lang)
	return c.Path() + "?" + q.Encode()
}

func (s *Site) render(c *fiber.Ctx, v view) error {
	rememberLang(c)
	t := s.pages[v.Lang][v.Page]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("pages: render %s: %w", v.Page, err)
	}
	setPageHeaders(c)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// contentSecurityPolicy allows only this origin's scripts, styles, images
// and API calls: no inline script, no third party, no framing. Module
// scripts fall under script-src 'self' like classic ones; connect-src
// 'self' also covers the console's websocket (ws: or wss: to the same
// host, CSP level 3).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func setPageHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	// Status page URLs carry a tracking number; never send it elsewhere.
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	// The language comes from the query, a cookie or Accept-Language, so
	// a shared cache must not hand one visitor's language to another.
	c.Set(fiber.HeaderCacheControl, "no-cache, private")
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
}
