package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Notify configures the notifications that tell citizens off a live
// channel of replies, requests for information and solved tickets
// (internal/notify). Each route is on when its provider is configured.
type Notify struct {
	// SMTPURL: smtps://user:pass@host:465 or smtp://user:pass@host:587
	// (STARTTLS); empty turns e-mail off. SMTPFrom is the sender.
	SMTPURL  string
	SMTPFrom string
	// TwilioSMSFrom is the SMS sender (E.164) on the phone channel's
	// Twilio account; empty turns SMS off.
	TwilioSMSFrom string
	// WhatsAppTemplate names one of WHATSAPP_TEMPLATES whose body takes
	// the tracking number and the link. Seed only: copied once into the
	// WhatsApp templates screen, whose active template is used.
	WhatsAppTemplate string
	// Routes is the order routes are tried in.
	Routes []string
	// EmailRate and SMSRate are messages per second per instance.
	EmailRate int
	SMSRate   int
	// LiveIdle: a live chat silent this long has "gone away".
	LiveIdle time.Duration
	// LinkSecret signs status-page links (empty: generated under
	// DATA_DIR; several instances must share one); LinkTTL is how long a
	// link works.
	LinkSecret string
	LinkTTL    time.Duration
	// SweepEvery is how often the catch-up sweep looks for status changes
	// and agent replies whose event never reached the bus (0 turns it off).
	SweepEvery time.Duration
	// BounceSMTPAddr, when set, is the address (host:port) of the SMTP
	// listener that takes delivery status notifications (bounces) of
	// notification e-mails; each e-mail then goes out with its own
	// envelope sender bounce+<token>@BounceDomain (SMTP_FROM's domain when
	// empty), whose MX must lead to the listener.
	BounceSMTPAddr string
	BounceDomain   string
	// Received: a caller whose voicemail or callback request opens a
	// ticket is sent its tracking number by SMS (NOTIFY_RECEIVED; needs
	// TWILIO_SMS_FROM).
	Received bool
}

func defaultNotify() Notify {
	return Notify{Routes: []string{"email", "sms", "whatsapp"}, EmailRate: 10, SMSRate: 10, LiveIdle: 15 * time.Minute, LinkTTL: 30 * 24 * time.Hour, SweepEvery: time.Minute, Received: true}
}

// parseNotify reads the SMTP_*, TWILIO_SMS_FROM, NOTIFY_* and
// STATUS_LINK_* variables into n, adding problems to p. wa is the parsed
// WhatsApp configuration (its templates).
func parseNotify(get, secret func(string) string, wa WhatsApp, voice Voice, n *Notify, p *Problems) {
	n.SMTPURL = secret("SMTP_URL")
	n.SMTPFrom = strings.TrimSpace(get("SMTP_FROM"))
	n.TwilioSMSFrom = strings.TrimSpace(get("TWILIO_SMS_FROM"))
	n.WhatsAppTemplate = strings.TrimSpace(get("NOTIFY_WHATSAPP_TEMPLATE"))
	n.LinkSecret = secret("STATUS_LINK_SECRET")
	n.BounceSMTPAddr = strings.TrimSpace(get("NOTIFY_BOUNCE_SMTP_ADDR"))
	n.BounceDomain = strings.ToLower(strings.TrimSpace(get("NOTIFY_BOUNCE_DOMAIN")))
	if v := get("NOTIFY_SWEEP_EVERY"); v != "" {
		if d, err := time.ParseDuration(v); err != nil || d < 0 {
			*p = append(*p, fmt.Sprintf("NOTIFY_SWEEP_EVERY: %q is not a duration (e.g. 1m; 0 turns the sweep off)", v))
		} else {
			n.SweepEvery = d
		}
	}
	if a := n.BounceSMTPAddr; a != "" {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			*p = append(*p, fmt.Sprintf("NOTIFY_BOUNCE_SMTP_ADDR: %q is not host:port (e.g. :2525)", a))
		}
		if n.SMTPURL == "" {
			*p = append(*p, "NOTIFY_BOUNCE_SMTP_ADDR needs SMTP_URL (bounces are of notification e-mails)")
		}
	}
	if d := n.BounceDomain; d != "" && (strings.ContainsAny(d, "@ /\\<>") || !strings.Contains(d, ".")) {
		*p = append(*p, fmt.Sprintf("NOTIFY_BOUNCE_DOMAIN: %q is not a domain name", d))
	}
	if v := get("NOTIFY_RECEIVED"); v != "" {
		parseSwitch("NOTIFY_RECEIVED", v, &n.Received, p)
	}
	if v := get("NOTIFY_ROUTES"); v != "" {
		n.Routes = nil
		for _, r := range strings.Split(v, ",") {
			switch r = strings.TrimSpace(r); r {
			case "email", "sms", "whatsapp":
				n.Routes = append(n.Routes, r)
			case "":
			default:
				*p = append(*p, fmt.Sprintf("NOTIFY_ROUTES: %q is not email, sms or whatsapp", r))
			}
		}
	}
	for name, dst := range map[string]*int{"NOTIFY_EMAIL_RATE": &n.EmailRate, "NOTIFY_SMS_RATE": &n.SMSRate} {
		if v := get(name); v != "" {
			k, err := strconv.Atoi(v)
			if err != nil || k <= 0 {
				*p = append(*p, fmt.Sprintf("%s: %q is not a positive whole number", name, v))
				continue
			}
			*dst = k
		}
	}
	for name, dst := range map[string]*time.Duration{"NOTIFY_LIVE_IDLE": &n.LiveIdle, "STATUS_LINK_TTL": &n.LinkTTL} {
		if v := get(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				*p = append(*p, fmt.Sprintf("%s: %q is not a positive duration (e.g. 15m, 720h)", name, v))
				continue
			}
			*dst = d
		}
	}
	if n.SMTPURL != "" {
		if u, err := url.Parse(n.SMTPURL); err != nil || (u.Scheme != "smtps" && u.Scheme != "smtp") || u.Hostname() == "" {
			*p = append(*p, "SMTP_URL must be smtps://user:pass@host:465 or smtp://user:pass@host:587")
		}
		if _, err := mail.ParseAddress(n.SMTPFrom); err != nil {
			*p = append(*p, "SMTP_FROM must be an e-mail address (or \"Name <address>\") when SMTP_URL is set")
		}
	}
	if f := n.TwilioSMSFrom; f != "" {
		if voice.TwilioAccountSID == "" || voice.TwilioAuthToken == "" {
			*p = append(*p, "TWILIO_SMS_FROM needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (the phone channel's account)")
		}
		if len(f) < 8 || f[0] != '+' || strings.Trim(f[1:], "0123456789") != "" {
			*p = append(*p, "TWILIO_SMS_FROM must be a number in E.164 form (+62...)")
		}
	}
	if n.WhatsAppTemplate != "" {
		if _, ok := n.Template(wa); !ok {
			*p = append(*p, fmt.Sprintf("NOTIFY_WHATSAPP_TEMPLATE: %q is not one of WHATSAPP_TEMPLATES", n.WhatsAppTemplate))
		}
	}
	if n.LinkSecret != "" && len(n.LinkSecret) < 32 {
		*p = append(*p, "STATUS_LINK_SECRET must have at least 32 characters (or leave it unset for a generated one)")
	}
}

// Template is the WhatsApp template notifications use.
func (n Notify) Template(wa WhatsApp) (WhatsAppTemplate, bool) {
	for _, t := range wa.Templates {
		if t.Name == n.WhatsAppTemplate {
			return t, true
		}
	}
	return WhatsAppTemplate{}, false
}
