package notify

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"strings"
	"time"

	"tanggap/internal/locale"
	"tanggap/internal/statuslink"
)

// compose writes the notification of kind about t for route r in lang: the
// tracking number, the signed status-page link and, for a solved ticket,
// the survey link (survey, fetched once per notification by the caller).
// The agent's text itself is not copied into e-mail or SMS: the link
// opens it on the status page.
func (s *Service) compose(ctx context.Context, t ticketInfo, k Kind, r Route, lang, survey string) (Message, error) {
	contact, to := statuslink.ContactEmail, t.ReporterEmail
	if r != RouteEmail {
		contact, to = statuslink.ContactPhone, t.ReporterPhone
	}
	token, err := s.o.Links.Sign(t.TrackingNumber, contact)
	if err != nil {
		return Message{}, Permanent(err)
	}
	link := strings.TrimRight(s.o.PublicURL, "/") + StatusLinkPath + token
	tx := s.o.Text
	tr := func(key string, args ...any) string { return tx.T(lang, key, args...) }
	expires := s.o.Now().Add(s.o.Links.TTL()).In(jakarta).Format("02-01-2006")
	m := Message{Route: r, To: to, Lang: lang, Tracking: t.TrackingNumber, Link: link}
	m.Subject = tr("notify.subject."+string(k), "tn", t.TrackingNumber)
	switch r {
	case RouteSMS:
		m.Text = tr("notify.sms."+string(k), "tn", t.TrackingNumber, "link", link)
		if survey != "" {
			m.Text += " " + tr("notify.sms.survey", "link", survey)
		}
		m.StatusCallback = strings.TrimRight(s.o.PublicURL, "/") + TwilioCallbackPath
	case RouteWhatsApp:
		if m.Template, m.TemplateLang, err = s.whatsAppTemplate(ctx, lang); errors.Is(err, errNoTemplate) {
			return Message{}, Permanent(err)
		} else if err != nil {
			return Message{}, err
		}
		m.TemplateParams = []string{t.TrackingNumber, link}
	default:
		lines := []string{
			tr("notify.greeting"),
			"",
			tr("notify.body."+string(k), "tn", t.TrackingNumber),
			"",
			tr("notify.link", "link", link),
			tr("notify.link_expires", "date", expires),
		}
		if survey != "" {
			lines = append(lines, "", tr("notify.survey", "link", survey))
		}
		lines = append(lines, "", tr("notify.footer"))
		m.Text = strings.Join(lines, "\r\n") + "\r\n"
		var buf bytes.Buffer
		err := mailHTML.Execute(&buf, map[string]any{
			"Lang": locale.HTMLLang(lang), "Subject": m.Subject, "Greeting": tr("notify.greeting"),
			"Body": tr("notify.body."+string(k), "tn", t.TrackingNumber), "Link": link, "LinkLabel": tr("notify.link_label"),
			"Expires": tr("notify.link_expires", "date", expires), "Survey": survey, "SurveyLabel": tr("notify.survey_label"),
			"Footer": tr("notify.footer"),
		})
		if err != nil {
			return Message{}, Permanent(err)
		}
		m.HTML = buf.String()
	}
	return m, nil
}

// Paths on the public site, mounted by internal/pages and internal/api.
const (
	StatusLinkPath     = "/pengaduan/status/link/"
	TwilioCallbackPath = "/webhooks/notify/twilio/status"
)

var jakarta = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return l
	}
	return time.FixedZone("WIB", 7*3600)
}()

// mailHTML is the HTML part: every value escaped by html/template.
var mailHTML = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif;line-height:1.5;color:#1a1a1a">
<p>{{.Greeting}}</p>
<p>{{.Body}}</p>
<p><a href="{{.Link}}">{{.LinkLabel}}</a></p>
<p style="color:#555">{{.Expires}}</p>
{{if .Survey}}<p><a href="{{.Survey}}">{{.SurveyLabel}}</a></p>{{end}}
<p style="color:#555;font-size:90%">{{.Footer}}</p>
</body></html>
`))
