package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWhatsAppIsOffWithoutSettings(t *testing.T) {
	c, err := Load(envOf(map[string]string{}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.WhatsApp.Enabled() || c.ReopenWindow != 72*time.Hour {
		t.Fatalf("whatsapp %+v, reopen window %v", c.WhatsApp, c.ReopenWindow)
	}
}

func TestWhatsAppSettings(t *testing.T) {
	c, err := Load(envOf(map[string]string{
		"WHATSAPP_APP_SECRET":      "app-secret",
		"WHATSAPP_VERIFY_TOKEN":    "verify",
		"WHATSAPP_ACCESS_TOKEN":    "token",
		"WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
		"WHATSAPP_NUMBERS":         "106540352242922:whatsapp, 106540352242933:bansos",
		"WHATSAPP_TEMPLATES":       "tindak_lanjut:id:nama|nomor_tiket, pengingat:en_US",
		"WHATSAPP_RATE_LIMIT":      "20",
		"REOPEN_WINDOW":            "24h",
	}), "")
	if err != nil {
		t.Fatal(err)
	}
	w := c.WhatsApp
	if !w.Enabled() || w.NumberQueues["106540352242933"] != "bansos" || w.RateLimit != 20 || c.ReopenWindow != 24*time.Hour {
		t.Fatalf("parsed %+v", w)
	}
	if len(w.Templates) != 2 || fmt.Sprint(w.Templates[0].Params) != "[nama nomor_tiket]" || w.Templates[1].Language != "en_US" || w.Templates[1].Params != nil {
		t.Fatalf("templates %+v", w.Templates)
	}
	for k, v := range c.Redacted() {
		for _, secret := range []string{"app-secret", "verify", "token"} {
			if fmt.Sprint(v) == secret {
				t.Fatalf("secret printed as %s", k)
			}
		}
	}
	if c.Redacted()["whatsapp_access_token"] != "***" {
		t.Fatalf("access token shown as %v", c.Redacted()["whatsapp_access_token"])
	}
}

func TestWhatsAppProblemsAreListedTogether(t *testing.T) {
	_, err := Load(envOf(map[string]string{
		"WHATSAPP_APP_SECRET":   "app-secret",
		"WHATSAPP_NUMBERS":      "abc:whatsapp,123",
		"WHATSAPP_TEMPLATES":    "Bad Name:id",
		"WHATSAPP_RATE_LIMIT":   "0",
		"WHATSAPP_API_BASE_URL": "graph.facebook.com",
		"REOPEN_WINDOW":         "-1h",
	}), "")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{"WHATSAPP_VERIFY_TOKEN must be set", "WHATSAPP_ACCESS_TOKEN must be set", `WHATSAPP_NUMBERS: "abc:whatsapp"`,
		`WHATSAPP_NUMBERS: "123"`, "WHATSAPP_TEMPLATES", "WHATSAPP_RATE_LIMIT", "WHATSAPP_API_BASE_URL", "REOPEN_WINDOW"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}

func TestWhatsAppAckSetting(t *testing.T) {
	cases := []struct {
		name, value string
		want        bool
	}{
		{"on unless set", "", true},
		{"turned off", "false", false},
		{"turned on", "true", true},
		{"upper case and spaces", " FALSE ", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(envOf(map[string]string{"WHATSAPP_ACK": tc.value}), "")
			if err != nil {
				t.Fatal(err)
			}
			if c.WhatsApp.Ack != tc.want {
				t.Fatalf("WHATSAPP_ACK=%q: ack %v, want %v", tc.value, c.WhatsApp.Ack, tc.want)
			}
			if c.WhatsApp.Enabled() {
				t.Fatal("WHATSAPP_ACK alone turned the channel on")
			}
		})
	}
	for _, bad := range []string{"yes", "0", "off", "ya"} {
		t.Run("refused "+bad, func(t *testing.T) {
			_, err := Load(envOf(map[string]string{"WHATSAPP_ACK": bad}), "")
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "WHATSAPP_ACK") {
				t.Fatalf("WHATSAPP_ACK=%q: %v, want a problem naming WHATSAPP_ACK", bad, err)
			}
		})
	}
}
