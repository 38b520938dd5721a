package config

import (
	"fmt"
	"strings"

	"tanggap/internal/identity"
)

// Brand names the program this deployment serves and the numbers citizens
// reach it on (the launcher, the landing page, the chat widget, the
// complaint form and the status page show them). The rest of the look
// (short name, logo, colours, privacy notice) is in File, a YAML or JSON
// file read and checked at start by internal/brand. Empty values keep the
// neutral defaults; a number left empty hides its channel.
type Brand struct {
	ProgramName string // PROGRAM_NAME: wins over the file's name
	Greeting    string // PROGRAM_GREETING: the launcher's greeting in Bahasa Indonesia
	// ContactPhone is the toll-free number as shown (CONTACT_PHONE).
	ContactPhone string
	// ContactWhatsApp is the business number citizens write to
	// (CONTACT_WHATSAPP), in E.164 once parsed.
	ContactWhatsApp string
	File            string // BRAND_FILE
}

// parseBrand reads PROGRAM_NAME, PROGRAM_GREETING, CONTACT_PHONE,
// CONTACT_WHATSAPP and BRAND_FILE into b, adding problems to p.
func parseBrand(get func(string) string, b *Brand, p *Problems) {
	b.ProgramName = strings.TrimSpace(get("PROGRAM_NAME"))
	b.Greeting = strings.TrimSpace(get("PROGRAM_GREETING"))
	b.File = strings.TrimSpace(get("BRAND_FILE"))
	if len([]rune(b.ProgramName)) > 120 {
		*p = append(*p, "PROGRAM_NAME must be at most 120 characters")
	}
	if len([]rune(b.Greeting)) > 300 {
		*p = append(*p, "PROGRAM_GREETING must be at most 300 characters")
	}
	if v := strings.TrimSpace(get("CONTACT_PHONE")); v != "" {
		if !TollFreeShape(v) {
			*p = append(*p, fmt.Sprintf("CONTACT_PHONE: %q is not a phone number (digits, spaces, dashes, an optional leading +; 3 to 15 digits)", v))
		} else {
			b.ContactPhone = v
		}
	}
	if v := strings.TrimSpace(get("CONTACT_WHATSAPP")); v != "" {
		e164, err := identity.NormalizePhone(v)
		if err != nil {
			*p = append(*p, fmt.Sprintf("CONTACT_WHATSAPP: %q is not a phone number (e.g. 0811-2345-6789 or +62 811 2345 6789)", v))
		} else {
			b.ContactWhatsApp = e164
		}
	}
}

// TollFreeShape reports whether s reads as a dialable number: a leading
// "+" at most, then digits with spaces, dashes, dots or parentheses, 3 to
// 15 digits in all (short service numbers such as 1500-123 included).
func TollFreeShape(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 15
}
