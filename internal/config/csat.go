package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CSAT configures the satisfaction survey (internal/csat).
type CSAT struct {
	// LinkTTL: how long a survey and its link take answers (CSAT_LINK_TTL).
	LinkTTL time.Duration
	// SatisfiedMin: ratings at or above it count as satisfied in
	// "% satisfied" (CSAT_SATISFIED_MIN, 1–5).
	SatisfiedMin int
	// AlertMax: ratings at or below it alert the queue's supervisors
	// (CSAT_ALERT_MAX, 1–4).
	AlertMax int
	// WhatsAppTemplate is the approved template ("name:language") that
	// asks outside the 24-hour window, with five quick-reply buttons
	// (CSAT_WHATSAPP_TEMPLATE). Seed only: copied once into the WhatsApp
	// templates screen, whose active survey template is used.
	WhatsAppTemplate WhatsAppTemplate
}

func defaultCSAT() CSAT { return CSAT{LinkTTL: 7 * 24 * time.Hour, SatisfiedMin: 4, AlertMax: 2} }

// parseCSAT reads the CSAT_* settings into r, adding problems to p.
func parseCSAT(get func(string) string, r *CSAT, p *Problems) {
	if v := get("CSAT_LINK_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour || d > 90*24*time.Hour {
			*p = append(*p, fmt.Sprintf("CSAT_LINK_TTL: %q must be a duration from 1h to 2160h", v))
		} else {
			r.LinkTTL = d
		}
	}
	num := func(name string, dst *int, lo, hi int) {
		v := get(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			*p = append(*p, fmt.Sprintf("%s: %q must be a number from %d to %d", name, v, lo, hi))
			return
		}
		*dst = n
	}
	num("CSAT_SATISFIED_MIN", &r.SatisfiedMin, 1, 5)
	num("CSAT_ALERT_MAX", &r.AlertMax, 1, 4)
	if v := get("CSAT_WHATSAPP_TEMPLATE"); v != "" {
		name, lang, ok := strings.Cut(v, ":")
		if !ok || !TemplateName(name) || !TemplateLanguage(lang) {
			*p = append(*p, fmt.Sprintf("CSAT_WHATSAPP_TEMPLATE: %q must be name:language", v))
		} else {
			r.WhatsAppTemplate = WhatsAppTemplate{Name: name, Language: lang}
		}
	}
}
