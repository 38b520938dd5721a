package pages

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/locale"
	"tanggap/internal/statuslink"
)

// StatusLinks checks a signed status-page link (internal/notify) and gives
// the tracking number and the contact it stands for. Errors wrap
// statuslink.ErrExpired for a genuine link past its time; anything else
// is a link that is not valid.
type StatusLinks interface {
	// OpenStatusLink also gives the language the citizen wrote in ("":
	// unknown).
	OpenStatusLink(ctx context.Context, token string) (trackingNumber, contact, lang string, err error)
}

// handleStatusLink opens the status page from a notification's signed
// link: the tracking number and contact are filled in on the server and
// the page looks the complaint up at once. A forged, malformed or expired
// link gets the empty status page with a clear message, and a 4xx status.
//
// Without a language chosen on the site (?lang= or its cookie) the page
// speaks the citizen's language, the notice's, not the browser's.
func (s *Site) handleStatusLink(c *fiber.Ctx) error {
	tn, contact, lang, err := s.o.StatusLinks.OpenStatusLink(c.UserContext(), c.Params("token"))
	pageLang := Lang(c)
	if l, ok := locale.Normalize(lang); ok && err == nil && c.Query(LangParam) == "" && c.Cookies(LangCookie) == "" {
		pageLang = l
	}
	v := s.newViewIn(c, pageLang, pageStatus, locale.Key("status_page.title"))
	v.MaxBytes = s.o.AttachmentMaxBytes
	v.MaxMB = s.o.AttachmentMaxBytes >> 20
	switch {
	case err == nil:
		v.TN, v.Contact, v.AutoLookup = cleanTN(tn), contact, true
	case errors.Is(err, statuslink.ErrExpired):
		v.LinkErrorKey = locale.Key("notify.link_expired")
		c.Status(fiber.StatusGone)
	default:
		v.LinkErrorKey = locale.Key("notify.link_invalid")
		c.Status(fiber.StatusBadRequest)
	}
	if err := s.render(c, v); err != nil {
		return err
	}
	// The page carries the citizen's contact: no cache may keep it.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return nil
}
