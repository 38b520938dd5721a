// Package transcript renders a ticket's public thread as a printable HTML
// page: what the citizen and the agents said to each other, never internal
// notes, with the citizen's contact details masked unless the viewer is a
// supervisor or an admin. The page carries no script; its one style block
// is allowed by its hash in the page's Content-Security-Policy.
package transcript

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/mask"
	"tanggap/internal/ticket"
)

//go:embed transcript.css
var style string

//go:embed transcript.html
var page string

// CSP is the page's Content-Security-Policy: nothing but its own style
// block, and images of this origin (none today).
var CSP = "default-src 'none'; style-src 'sha256-" + hash(style) + "'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

var tmpl = template.Must(template.New("transcript").Parse(page))

// Zone is the time zone times are printed in (WIB).
var Zone = mustZone("Asia/Jakarta")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return z
}

type entry struct {
	Who, When string
	Out       bool
	Body      string
	Files     []string
}

type view struct {
	Lang, HTMLLang        string
	Style                 template.CSS
	T                     func(key string, args ...any) string
	Title                 string
	Ticket                ticket.Detail
	Status, Channel, Date string
	Phone, Email          string
	Entries               []entry
	Printed               string
	Viewer                string
	Tags                  []string
	Wrapup                string
}

// Extra is what other owners add to the header.
type Extra struct {
	Tags   []string
	Wrapup string
}

// Render writes the transcript of d for viewer in lang.
func Render(cat *locale.Catalog, lang string, viewer agent.Agent, d ticket.Detail, extra Extra, now time.Time) ([]byte, error) {
	t := func(key string, args ...any) string { return cat.T(lang, key, args...) }
	when := func(at time.Time) string { return at.In(Zone).Format("02-01-2006 15:04") + " WIB" }
	v := view{
		Lang: lang, HTMLLang: locale.HTMLLang(lang), Style: template.CSS(style), T: t,
		Title:   t("transcript.title", "tracking", d.TrackingNumber),
		Ticket:  d,
		Status:  labelOr(cat, lang, "ticket_status."+string(d.Status), string(d.Status)),
		Channel: labelOr(cat, lang, "channel."+d.Channel, d.Channel),
		Date:    when(d.CreatedAt),
		Printed: when(now),
		Viewer:  viewer.Name,
		Tags:    extra.Tags,
		Wrapup:  extra.Wrapup,
	}
	v.Phone, v.Email = d.Contact.Phone, d.Contact.Email
	if !viewer.SeesAll() {
		v.Phone, v.Email = mask.Phone(v.Phone), mask.Email(v.Email)
	}
	for _, m := range d.Messages {
		// The public thread only: what the citizen sent and what was sent
		// to them. Internal and system notes stay out.
		if m.Direction != domain.DirectionIn && m.Direction != domain.DirectionOut {
			continue
		}
		e := entry{Who: m.Author, When: when(m.CreatedAt), Out: m.Direction == domain.DirectionOut, Body: m.Body}
		if e.Who == "" {
			e.Who = t("transcript.citizen")
			if e.Out {
				e.Who = t("transcript.agent")
			}
		}
		for _, a := range m.Attachments {
			e.Files = append(e.Files, fmt.Sprintf("%s (%s, %d KB)", a.Filename, a.MIME, max(1, (a.Size+1023)/1024)))
		}
		v.Entries = append(v.Entries, e)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("transcript: render: %w", err)
	}
	return buf.Bytes(), nil
}

func labelOr(cat *locale.Catalog, lang, key, fallback string) string {
	if cat.Has(lang, key) {
		return cat.T(lang, key)
	}
	return fallback
}
