package app

import (
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/locale"
	"tanggap/internal/notify"
	"tanggap/internal/notify/bounce"
	"tanggap/internal/notify/notifyhttp"
	"tanggap/internal/statuslink"
)

// notifyParts are the citizen notifications: the service (jobs), the
// status-page link opener and the providers' callbacks.
type notifyParts struct {
	svc   *notify.Service
	links *notify.StatusLinks
	hooks *notifyhttp.Hooks
	// bounce takes bounces of notification e-mails (nil: no listener).
	bounce *bounce.Server
}

// newNotify builds the notifications from the configuration: e-mail when
// SMTP_URL is set, SMS when TWILIO_SMS_FROM is, WhatsApp templates when
// WhatsApp is configured (the template in force is chosen at send time
// from templates, the WhatsApp admin screen). survey may be nil (no survey
// link).
func newNotify(cfg config.Config, d *db.DB, b *bus.Bus, cat *locale.Catalog, survey notify.SurveyLinker, templates notify.Templates, observe notify.SendObserver, log *slog.Logger) (notifyParts, error) {
	secret, err := statuslink.LoadSecret(cfg.Notify.LinkSecret, cfg.DataDir)
	if err != nil {
		return notifyParts{}, err
	}
	links, err := statuslink.New(secret, cfg.Notify.LinkTTL)
	if err != nil {
		return notifyParts{}, err
	}
	n := cfg.Notify
	providers := map[notify.Route]notify.Provider{}
	if n.SMTPURL != "" {
		p, err := notify.NewSMTP(n.SMTPURL, n.SMTPFrom)
		if err != nil {
			return notifyParts{}, err
		}
		providers[notify.RouteEmail] = p
	}
	if n.TwilioSMSFrom != "" {
		providers[notify.RouteSMS] = &notify.Twilio{BaseURL: cfg.Voice.TwilioAPIBaseURL, AccountSID: cfg.Voice.TwilioAccountSID,
			AuthToken: cfg.Voice.TwilioAuthToken, From: n.TwilioSMSFrom}
	}
	if cfg.WhatsApp.Enabled() {
		providers[notify.RouteWhatsApp] = &notify.WhatsApp{BaseURL: cfg.WhatsApp.APIBaseURL, Version: cfg.WhatsApp.APIVersion,
			PhoneNumberID: cfg.WhatsApp.PhoneNumberID, AccessToken: cfg.WhatsApp.AccessToken}
	}
	routes := make([]notify.Route, 0, len(n.Routes))
	for _, r := range n.Routes {
		routes = append(routes, notify.Route(r))
	}
	svc, err := notify.New(notify.Opts{
		DB: d, Bus: b, Log: log, Text: cat, Links: links, PublicURL: cfg.BaseURL(), Routes: routes, Providers: providers,
		Rates:    map[notify.Route]float64{notify.RouteEmail: float64(n.EmailRate), notify.RouteSMS: float64(n.SMSRate), notify.RouteWhatsApp: float64(cfg.WhatsApp.RateLimit)},
		LiveIdle: n.LiveIdle, Survey: survey,
		Templates:  templates, // whatsapp templates: chosen at send time on the adapter's store
		SweepEvery: sweepEvery(n.SweepEvery), BounceDomain: bounceDomain(n), BounceKey: secret, Observe: observe,
		Received: callerReceipts(cfg), // the phone line's acknowledgement jobs (ackChannels)
	})
	if err != nil {
		return notifyParts{}, err
	}
	if callerReceipts(cfg) && (n.TwilioSMSFrom == "" || !slices.Contains(n.Routes, "sms")) {
		log.Info("callers are not sent their tracking number: no SMS (TWILIO_SMS_FROM, sms in NOTIFY_ROUTES)")
	}
	parts := notifyParts{svc: svc, links: svc.StatusLinks(),
		hooks: &notifyhttp.Hooks{Notify: svc, TwilioAuthToken: cfg.Voice.TwilioAuthToken, PublicURL: cfg.BaseURL(), Log: log}}
	if n.BounceSMTPAddr != "" && n.SMTPURL != "" {
		parts.bounce = bounce.New(bounce.Opts{Addr: n.BounceSMTPAddr, Domain: bounceDomain(n), Notify: svc, Unknown: notify.ErrUnknownMessage, Log: log})
	}
	return parts, nil
}

// sweepEvery: the setting's 0 (off) is the service's negative.
func sweepEvery(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// bounceDomain is the domain of bounce addresses, "" without a bounce
// listener (nobody would read them): NOTIFY_BOUNCE_DOMAIN, or SMTP_FROM's.
func bounceDomain(n config.Notify) string {
	if n.BounceSMTPAddr == "" || n.SMTPURL == "" {
		return ""
	}
	if n.BounceDomain != "" {
		return n.BounceDomain
	}
	a, err := mail.ParseAddress(n.SMTPFrom)
	if err != nil {
		return ""
	}
	return strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
}
