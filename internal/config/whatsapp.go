package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"tanggap/internal/domain"
)

// parseWhatsApp reads the WHATSAPP_* variables.
func parseWhatsApp(get func(string) string, secret func(string) string, w *WhatsApp) Problems {
	var p Problems
	w.AppSecret = secret("WHATSAPP_APP_SECRET")
	w.VerifyToken = secret("WHATSAPP_VERIFY_TOKEN")
	w.AccessToken = secret("WHATSAPP_ACCESS_TOKEN")
	if v := get("WHATSAPP_API_BASE_URL"); v != "" {
		w.APIBaseURL = strings.TrimRight(v, "/")
	}
	if v := get("WHATSAPP_API_VERSION"); v != "" {
		w.APIVersion = v
	}
	w.PhoneNumberID = strings.TrimSpace(get("WHATSAPP_PHONE_NUMBER_ID"))
	if v := get("WHATSAPP_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			p = append(p, fmt.Sprintf("WHATSAPP_RATE_LIMIT: %q is not a whole number", v))
		} else {
			w.RateLimit = n
		}
	}
	if v := get("WHATSAPP_MEDIA_MAX_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			p = append(p, fmt.Sprintf("WHATSAPP_MEDIA_MAX_MB: %q is not a whole number", v))
		} else {
			w.MediaMaxBytes = int64(n) << 20
		}
	}
	if v := get("WHATSAPP_ACK"); v != "" {
		parseSwitch("WHATSAPP_ACK", v, &w.Ack, &p)
	}
	eachPair(get("WHATSAPP_NUMBERS"), func(item, id, queue string, ok bool) {
		if !ok || !digits(id) || !domain.ValidCode(queue) {
			p = append(p, fmt.Sprintf("WHATSAPP_NUMBERS: %q must be phone_number_id:queue", item))
			return
		}
		w.NumberQueues[id] = queue
	})
	if v := get("WHATSAPP_TEMPLATES"); v != "" {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			parts := strings.Split(item, ":")
			if len(parts) < 2 || len(parts) > 3 || !TemplateName(parts[0]) || !TemplateLanguage(parts[1]) {
				p = append(p, fmt.Sprintf("WHATSAPP_TEMPLATES: %q must be name:language or name:language:param|param", item))
				continue
			}
			t := WhatsAppTemplate{Name: parts[0], Language: parts[1]}
			if len(parts) == 3 && parts[2] != "" {
				t.Params = strings.Split(parts[2], "|")
			}
			w.Templates = append(w.Templates, t)
		}
	}
	return p
}

func (w WhatsApp) validate() Problems {
	if !w.Enabled() {
		return nil
	}
	var p Problems
	for name, v := range map[string]string{"WHATSAPP_APP_SECRET": w.AppSecret, "WHATSAPP_VERIFY_TOKEN": w.VerifyToken, "WHATSAPP_ACCESS_TOKEN": w.AccessToken} {
		if v == "" {
			p = append(p, name+" must be set when WhatsApp is configured")
		}
	}
	if u, err := url.Parse(w.APIBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p = append(p, fmt.Sprintf("WHATSAPP_API_BASE_URL: %q must be an absolute http(s) URL", w.APIBaseURL))
	}
	if len(w.APIVersion) < 2 || w.APIVersion[0] != 'v' || strings.ContainsAny(w.APIVersion, "/ ") {
		p = append(p, fmt.Sprintf("WHATSAPP_API_VERSION: %q must look like v23.0", w.APIVersion))
	}
	if w.PhoneNumberID != "" && !digits(w.PhoneNumberID) {
		p = append(p, "WHATSAPP_PHONE_NUMBER_ID must be digits")
	}
	if w.RateLimit < 1 || w.RateLimit > 1000 {
		p = append(p, "WHATSAPP_RATE_LIMIT must be between 1 and 1000")
	}
	if w.MediaMaxBytes < 1<<20 || w.MediaMaxBytes > 100<<20 {
		p = append(p, "WHATSAPP_MEDIA_MAX_MB must be between 1 and 100")
	}
	return p
}

func digits(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// TemplateName: Meta's template names are lower case letters, digits and
// _ (the settings and the WhatsApp adapter's template screen check alike).
func TemplateName(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// TemplateLanguage: Meta's language codes, such as id, en or en_US.
func TemplateLanguage(s string) bool {
	if len(s) < 2 || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') {
			return false
		}
	}
	return true
}
