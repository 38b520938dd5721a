package config

import (
	"errors"
	"strings"
	"testing"
)

func TestBrandSettings(t *testing.T) {
	env := map[string]string{
		"PROGRAM_NAME": "Program Kartu Kerja", "PROGRAM_GREETING": "Halo, sobat Kartu Kerja",
		"CONTACT_PHONE": "1500-123", "CONTACT_WHATSAPP": "0811-0000-1234", "BRAND_FILE": "brand.yaml",
	}
	c, err := Load(func(k string) string { return env[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	want := Brand{ProgramName: "Program Kartu Kerja", Greeting: "Halo, sobat Kartu Kerja", ContactPhone: "1500-123",
		ContactWhatsApp: "+6281100001234", File: "brand.yaml"}
	if c.Brand != want {
		t.Errorf("brand = %+v, want %+v", c.Brand, want)
	}
	if d, err := Load(func(string) string { return "" }, ""); err != nil || d.Brand != (Brand{}) {
		t.Errorf("defaults: %+v, %v; want nothing set (neutral, no phone or WhatsApp entry)", d.Brand, err)
	}
}

func TestBrandSettingsRefused(t *testing.T) {
	env := map[string]string{"CONTACT_PHONE": "call us", "CONTACT_WHATSAPP": "12", "PROGRAM_NAME": strings.Repeat("x", 121)}
	_, err := Load(func(k string) string { return env[k] }, "")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Load = %v", err)
	}
	for _, w := range []string{"CONTACT_PHONE", "CONTACT_WHATSAPP", "PROGRAM_NAME"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%v does not name %s", err, w)
		}
	}
	for in, ok := range map[string]bool{"1500-123": true, "+62 21 500 123": true, "(021) 500-123": true, "12": false, "08+1": false, "1-800-FLOWERS": false} {
		if TollFreeShape(in) != ok {
			t.Errorf("TollFreeShape(%q) = %v", in, !ok)
		}
	}
}
