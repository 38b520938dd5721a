package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNotifySettings(t *testing.T) {
	base := map[string]string{}
	cases := []struct {
		name string
		env  map[string]string
		want string // a problem the configuration must report; "" for none
	}{
		{"nothing set: every route off, defaults", base, ""},
		{"e-mail over STARTTLS", map[string]string{"SMTP_URL": "smtp://u:p@mail.example.id:587", "SMTP_FROM": "Layanan <noreply@example.id>"}, ""},
		{"e-mail without a sender", map[string]string{"SMTP_URL": "smtps://u:p@mail.example.id"}, "SMTP_FROM"},
		{"e-mail with another scheme", map[string]string{"SMTP_URL": "http://mail.example.id", "SMTP_FROM": "a@example.id"}, "SMTP_URL"},
		{"SMS without the phone channel's account", map[string]string{"TWILIO_SMS_FROM": "+62215550100"}, "TWILIO_ACCOUNT_SID"},
		{"SMS sender not E.164", map[string]string{"TWILIO_SMS_FROM": "0215550100", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "x", "PUBLIC_URL": "https://x.example.id"}, "E.164"},
		{"WhatsApp template not among the configured ones", map[string]string{"NOTIFY_WHATSAPP_TEMPLATE": "status_pengaduan"}, "NOTIFY_WHATSAPP_TEMPLATE"},
		{"unknown route", map[string]string{"NOTIFY_ROUTES": "email,fax"}, "NOTIFY_ROUTES"},
		{"short link secret", map[string]string{"STATUS_LINK_SECRET": "short"}, "STATUS_LINK_SECRET"},
		{"bad link lifetime", map[string]string{"STATUS_LINK_TTL": "forever"}, "STATUS_LINK_TTL"},
		{"bounce listener with its domain", map[string]string{"SMTP_URL": "smtp://u:p@mail.example.id:587", "SMTP_FROM": "noreply@example.id",
			"NOTIFY_BOUNCE_SMTP_ADDR": ":2525", "NOTIFY_BOUNCE_DOMAIN": "bounce.example.id"}, ""},
		{"bounce listener without e-mail", map[string]string{"NOTIFY_BOUNCE_SMTP_ADDR": ":2525"}, "NOTIFY_BOUNCE_SMTP_ADDR"},
		{"bounce listener not host:port", map[string]string{"SMTP_URL": "smtp://u:p@mail.example.id:587", "SMTP_FROM": "noreply@example.id",
			"NOTIFY_BOUNCE_SMTP_ADDR": "2525"}, "NOTIFY_BOUNCE_SMTP_ADDR"},
		{"bounce domain that is an address", map[string]string{"NOTIFY_BOUNCE_DOMAIN": "bounce@example.id"}, "NOTIFY_BOUNCE_DOMAIN"},
		{"bad sweep interval", map[string]string{"NOTIFY_SWEEP_EVERY": "often"}, "NOTIFY_SWEEP_EVERY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(func(k string) string { return tc.env[k] })
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(c.Notify.Routes, ",") != "email,sms,whatsapp" || c.Notify.LinkTTL != 720*time.Hour || c.Notify.LiveIdle != 15*time.Minute ||
					c.Notify.SweepEvery != time.Minute {
					t.Fatalf("defaults %+v", c.Notify)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a problem naming %s", err, tc.want)
			}
		})
	}
}

func TestNotifyReceivedSetting(t *testing.T) {
	for value, want := range map[string]bool{"": true, "false": false, " TRUE ": true} {
		c, err := Load(envOf(map[string]string{"NOTIFY_RECEIVED": value}), "")
		if err != nil {
			t.Fatal(err)
		}
		if c.Notify.Received != want {
			t.Fatalf("NOTIFY_RECEIVED=%q: %v, want %v", value, c.Notify.Received, want)
		}
	}
	if _, err := Load(envOf(map[string]string{"NOTIFY_RECEIVED": "ya"}), ""); err == nil || !strings.Contains(err.Error(), "NOTIFY_RECEIVED") {
		t.Fatalf("NOTIFY_RECEIVED=ya: %v, want it refused by name", err)
	}
}
