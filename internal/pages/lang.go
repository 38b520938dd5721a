package pages

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/locale"
)

// LangCookie remembers the language a visitor picked with ?lang=.
const LangCookie = "lang"

// LangParam is the query parameter that picks a language.
const LangParam = "lang"

const langCookieAge = 365 * 24 * time.Hour

// Lang is the language of a request: the ?lang= query parameter, then the
// lang cookie, then the Accept-Language header, then locale.Default.
// Values that name no supported language are skipped. It has no side
// effect, so the API's error handler and adapters use it as they are.
func Lang(c *fiber.Ctx) string {
	if l, ok := locale.Normalize(c.Query(LangParam)); ok {
		return l
	}
	if l, ok := locale.Normalize(c.Cookies(LangCookie)); ok {
		return l
	}
	return locale.Match(c.Get(fiber.HeaderAcceptLanguage))
}

// rememberLang stores an explicit ?lang= choice in a cookie so the next
// page (and the API calls it makes) keep that language.
func rememberLang(c *fiber.Ctx) {
	l, ok := locale.Normalize(c.Query(LangParam))
	if !ok || c.Cookies(LangCookie) == l {
		return
	}
	c.Cookie(&fiber.Cookie{
		Name:     LangCookie,
		Value:    l,
		Path:     "/",
		MaxAge:   int(langCookieAge / time.Second),
		Secure:   c.Protocol() == "https",
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}
