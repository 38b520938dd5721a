package config

import (
	"strings"
	"testing"
)

func TestReplyFileSettings(t *testing.T) {
	c, err := parse(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.ReplyFiles != (ReplyFiles{MaxFiles: 3, WhatsAppMaxBytes: 16 << 20, LivechatMaxBytes: 10 << 20, WebformMaxBytes: 10 << 20}) {
		t.Fatalf("defaults: %+v", c.ReplyFiles)
	}
	if got := c.ReplyFiles.LargestRequest(); got != 3*16<<20+1<<20 {
		t.Fatalf("largest request %d", got)
	}
	env := map[string]string{"FILES_MAX_PER_REPLY": "2", "FILES_WHATSAPP_MAX_MB": "5", "FILES_LIVECHAT_MAX_MB": "20", "FILES_WEBFORM_MAX_MB": "1"}
	c, err = parse(func(k string) string { return env[k] })
	if err != nil || c.ReplyFiles != (ReplyFiles{MaxFiles: 2, WhatsAppMaxBytes: 5 << 20, LivechatMaxBytes: 20 << 20, WebformMaxBytes: 1 << 20}) {
		t.Fatalf("set: %v %+v", err, c.ReplyFiles)
	}
	env = map[string]string{"FILES_MAX_PER_REPLY": "0", "FILES_WHATSAPP_MAX_MB": "200", "FILES_LIVECHAT_MAX_MB": "ten"}
	_, err = parse(func(k string) string { return env[k] })
	for _, want := range []string{`FILES_MAX_PER_REPLY: "0"`, `FILES_WHATSAPP_MAX_MB: "200"`, `FILES_LIVECHAT_MAX_MB: "ten"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems %v lack %q", err, want)
		}
	}
}
