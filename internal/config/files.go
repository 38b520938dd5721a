package config

import (
	"fmt"
	"strconv"
)

// ReplyFiles bounds the files agents attach to replies, per channel. Each
// channel's own limits still apply (WhatsApp's per media type).
type ReplyFiles struct {
	// MaxFiles is how many files one reply carries.
	MaxFiles int
	// Largest file per channel, in bytes.
	WhatsAppMaxBytes int64
	LivechatMaxBytes int64
	WebformMaxBytes  int64
}

func defaultReplyFiles() ReplyFiles {
	return ReplyFiles{MaxFiles: 3, WhatsAppMaxBytes: 16 << 20, LivechatMaxBytes: 10 << 20, WebformMaxBytes: 10 << 20}
}

// LargestRequest is the biggest reply with files the API must read.
func (r ReplyFiles) LargestRequest() int {
	return int(max(r.WhatsAppMaxBytes, r.LivechatMaxBytes, r.WebformMaxBytes))*max(r.MaxFiles, 1) + 1<<20
}

// parseReplyFiles reads the FILES_* variables into r, adding problems to p.
func parseReplyFiles(get func(string) string, r *ReplyFiles, p *Problems) {
	if s := get("FILES_MAX_PER_REPLY"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10 {
			*p = append(*p, fmt.Sprintf("FILES_MAX_PER_REPLY: %q must be a whole number from 1 to 10", s))
		} else {
			r.MaxFiles = n
		}
	}
	for _, v := range []struct {
		name string
		dst  *int64
		most int
	}{
		{"FILES_WHATSAPP_MAX_MB", &r.WhatsAppMaxBytes, 100},
		{"FILES_LIVECHAT_MAX_MB", &r.LivechatMaxBytes, 100},
		{"FILES_WEBFORM_MAX_MB", &r.WebformMaxBytes, 100},
	} {
		s := get(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > v.most {
			*p = append(*p, fmt.Sprintf("%s: %q must be a whole number of MB from 1 to %d", v.name, s, v.most))
			continue
		}
		*v.dst = int64(n) << 20
	}
}
