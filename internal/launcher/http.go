package launcher

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/locale"
	"tanggap/internal/realtime"
)

// menuJSON is what /launcher.js reads: the menu, the few texts of the
// launcher's own controls, and where the brand's assets are.
type menuJSON struct {
	Menu
	Languages map[string]string `json:"languages"`
	Texts     map[string]string `json:"texts"`
	// Paths on this server: the logo, the brand's stylesheet, the chat
	// widget (loaded only when the citizen opens the chat), the landing
	// page (a plain link when the menu cannot be shown).
	Logo       string `json:"logo"`
	BrandCSS   string `json:"brand_css"`
	ChatScript string `json:"chat_script"`
	Landing    string `json:"landing"`
	PrivacyURL string `json:"privacy_url,omitempty"`
}

// The texts of the launcher's own controls, sent with every menu.
var uiKeys = []string{
	locale.Key("launcher.button"), locale.Key("launcher.close"), locale.Key("launcher.menu_label"),
	locale.Key("launcher.new_page"), locale.Key("launcher.lang_switch"), locale.Key("launcher.lang_switch_label"),
	locale.Key("brand.privacy"), locale.Key("launcher.unavailable"), locale.Key("launcher.landing_link"),
}

// Mount adds GET /launcher/menu.json (CORS for the allowed sites). The
// script itself (/launcher.js), the landing page, the brand's stylesheet
// and logo are pages (internal/pages).
func (s *Service) Mount(r fiber.Router) {
	r.Options("/launcher/menu.json", s.cors)
	r.Get("/launcher/menu.json", s.cors, s.handleMenu)
}

func (s *Service) handleMenu(c *fiber.Ctx) error {
	lang, ok := locale.Normalize(c.Query("lang"))
	if !ok {
		lang = locale.Default
	}
	out := menuJSON{Menu: s.Menu(c.UserContext(), lang, time.Now(), false), Languages: map[string]string{}, Texts: map[string]string{},
		ChatScript: "/static/js/livechat-widget.js", Landing: "/?lang=" + lang, PrivacyURL: s.o.Brand.PrivacyURL}
	for _, l := range locale.Languages() {
		out.Languages[l] = s.o.Locale.T(l, "lang.name")
	}
	for _, k := range uiKeys {
		out.Texts[k] = s.o.Locale.T(lang, k)
	}
	out.Logo = LogoPath(s)
	_, h := s.o.Brand.CSS()
	out.BrandCSS = "/brand.css?v=" + h
	// Open and closed follow the clock: a short shared lifetime.
	c.Set(fiber.HeaderCacheControl, "public, max-age=30")
	return c.JSON(out)
}

// LogoPath is where the brand's logo is served (the product's emblem
// when the brand file gives none).
func LogoPath(s *Service) string {
	if _, _, h := s.o.Brand.Logo(); h != "" {
		return "/brand/logo?v=" + h
	}
	return "/static/img/emblem.svg"
}

// cors lets the allowed sites read the menu. No credentials: the menu is
// public and the same for everyone.
func (s *Service) cors(c *fiber.Ctx) error {
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && s.originAllowed(origin) {
		c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
		c.Set(fiber.HeaderAccessControlAllowMethods, "GET")
		c.Set(fiber.HeaderAccessControlMaxAge, "600")
	}
	c.Vary(fiber.HeaderOrigin)
	if c.Method() == fiber.MethodOptions {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}

// originAllowed applies the chat widget's list: the same sites may embed
// both.
func (s *Service) originAllowed(origin string) bool {
	n, ok := realtime.NormalizeOrigin(origin)
	if !ok {
		return false
	}
	if pub, ok := realtime.NormalizeOrigin(s.o.PublicURL); ok && pub == n {
		return true
	}
	for _, a := range s.o.AllowedOrigins {
		if a == "*" {
			return true
		}
		if an, ok := realtime.NormalizeOrigin(a); ok && strings.EqualFold(an, n) {
			return true
		}
	}
	return false
}
