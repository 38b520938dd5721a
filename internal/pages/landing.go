package pages

import (
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/locale"
)

// handleLanding is the public landing page: the launcher's menu as plain
// links, so it works without JavaScript (the page loads no script).
func (s *Site) handleLanding(c *fiber.Ctx) error {
	v := s.newView(c, pageLanding, locale.Key("launcher.page_title"))
	v.Menu = s.o.Menus.Menu(c.UserContext(), v.Lang, time.Now(), true)
	return s.render(c, v)
}

// brandView is what the layout shows of the brand.
func (s *Site) brandView() brandView {
	b := s.o.Brand
	_, cssHash := b.CSS()
	v := brandView{Name: b.Name, PrivacyURL: b.PrivacyURL, CSS: "/brand.css?v=" + cssHash}
	if _, _, h := b.Logo(); h != "" {
		v.Logo = "/brand/logo?v=" + h
	} else if u, err := s.assetURL("img/emblem.svg"); err == nil {
		v.Logo = u
	}
	return v
}

// handleLauncherScript serves /launcher.js, the one script tag other
// sites embed. Its URL carries no version (sites do not change their
// tag), so browsers revalidate it (ETag) and keep it for five minutes.
func (s *Site) handleLauncherScript(c *fiber.Ctx) error {
	a, ok := s.assets["js/launcher.js"]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, a.etag)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, a.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, a.ctype)
	return c.Send(a.body)
}

// handleBrandCSS serves the brand's colours as custom properties (see
// brand.Brand.CSS), read by the pages, the chat widget and the launcher.
func (s *Site) handleBrandCSS(c *fiber.Ctx) error {
	body, hash := s.o.Brand.CSS()
	return s.sendVersioned(c, body, "text/css; charset=utf-8", hash)
}

// handleBrandLogo serves the brand file's logo. An SVG cannot run script
// as an image, and the sandbox keeps it inert when opened on its own.
func (s *Site) handleBrandLogo(c *fiber.Ctx) error {
	body, ctype, hash := s.o.Brand.Logo()
	if len(body) == 0 {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	return s.sendVersioned(c, body, ctype, hash)
}

func (s *Site) sendVersioned(c *fiber.Ctx, body []byte, ctype, hash string) error {
	etag := `"` + hash + `"`
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, etag)
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if c.Query("v") == hash {
		c.Set(fiber.HeaderCacheControl, cacheImmutable)
	} else {
		c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, ctype)
	return c.Send(body)
}

// menuHref lets the menu's own link schemes through html/template, which
// would blank a tel: link: tel:, https: and paths on this site, all built
// by the launcher from checked configuration. Anything else is dropped.
func menuHref(u string) template.URL {
	if strings.HasPrefix(u, "tel:") || strings.HasPrefix(u, "https://") || (strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")) {
		return template.URL(u)
	}
	return template.URL("#")
}
