package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"tanggap/internal/bus"
)

// Bounces of notification e-mails. Every e-mail goes out with its own
// envelope sender (VERP), bounce+<row id>-<mac>@<bounce domain>, so the
// delivery status notification a receiving server sends back names the
// row without reading the returned message. The mac (HMAC-SHA256 under
// BounceKey, 12 bytes) keeps anyone from failing a notification by
// mailing a made-up bounce address. internal/notify/bounce takes the
// reports over SMTP and calls ApplyBounce.

const bouncePrefix = "bounce+"

// addressBack marks m so that the provider's later word on it finds row d:
// WhatsApp echoes the reference with every status; an e-mail's bounce
// comes to its envelope sender.
func (s *Service) addressBack(m *Message, d Delivery) {
	switch m.Route {
	case RouteWhatsApp:
		m.Ref = bus.NotifyRefPrefix + strconv.FormatInt(d.ID, 10)
	case RouteEmail:
		if s.o.BounceDomain != "" {
			m.ReturnPath = s.bounceAddress(d.ID)
		}
	}
}

func (s *Service) bounceMAC(id int64) string {
	h := hmac.New(sha256.New, s.o.BounceKey)
	h.Write([]byte("notify-bounce:" + strconv.FormatInt(id, 10)))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// bounceAddress is row id's envelope sender.
func (s *Service) bounceAddress(id int64) string {
	return bouncePrefix + strconv.FormatInt(id, 10) + "-" + s.bounceMAC(id) + "@" + s.o.BounceDomain
}

// BounceRow is the notification row a bounce address names; ok is false
// for any address that is not a genuine one of this service (another
// domain, a forged or mangled token). Case is ignored: some servers fold
// the local part.
func (s *Service) BounceRow(addr string) (id int64, ok bool) {
	if s.o.BounceDomain == "" {
		return 0, false
	}
	local, domain, found := strings.Cut(strings.ToLower(strings.Trim(addr, "<> ")), "@")
	if !found || domain != strings.ToLower(s.o.BounceDomain) {
		return 0, false
	}
	token, found := strings.CutPrefix(local, bouncePrefix)
	if !found {
		return 0, false
	}
	idText, mac, found := strings.Cut(token, "-")
	if !found || len(idText) > 19 {
		return 0, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != idText {
		return 0, false
	}
	if !hmac.Equal([]byte(mac), []byte(s.bounceMAC(id))) {
		return 0, false
	}
	return id, true
}

// ApplyBounce records a delivery status notification received for bounce
// address addr: a failed delivery fails the e-mail with reason and falls
// back to the next route. ErrUnknownMessage when addr is not one of ours
// or names no e-mail.
func (s *Service) ApplyBounce(ctx context.Context, addr, reason string) error {
	id, ok := s.BounceRow(addr)
	if !ok {
		return ErrUnknownMessage
	}
	d, err := s.store.byID(ctx, id)
	if err != nil {
		return err
	}
	if d.Route != RouteEmail {
		return ErrUnknownMessage
	}
	return s.applyOutcome(ctx, d, false, "e-mail bounced: "+reason)
}
