package app

import (
	"log/slog"

	"tanggap/channels/voice"
	"tanggap/internal/brand"
	"tanggap/internal/config"
	"tanggap/internal/launcher"
	"tanggap/internal/locale"
)

// loadBrand reads and checks the program's brand (a failing contrast
// refuses the start with the pairs that fail).
func loadBrand(cfg config.Config) (*brand.Brand, error) {
	return brand.Load(brand.Opts{ProgramName: cfg.Brand.ProgramName, Greeting: cfg.Brand.Greeting,
		Phone: cfg.Brand.ContactPhone, WhatsApp: cfg.Brand.ContactWhatsApp, File: cfg.Brand.File})
}

// newLauncher builds the citizens' front door: each channel is open on
// the calendar of the queue it is answered in — the IVR's agent queue for
// the phone, the business number's queue for WhatsApp (else the default
// queue), the default queue for live chat; live chat and WhatsApp stay
// open after hours while officers of their queue are online (online:
// the count their gateways tell citizens by).
func newLauncher(cfg config.Config, b *brand.Brand, cals launcher.Calendars, online launcher.Presence, menu *voice.Menu, cat *locale.Catalog, log *slog.Logger) *launcher.Service {
	waQueue := cfg.DefaultQueue
	if q := cfg.WhatsApp.NumberQueues[cfg.WhatsApp.PhoneNumberID]; q != "" {
		waQueue = q
	}
	return launcher.New(launcher.Opts{Brand: b, Locale: cat, Calendars: cals, Presence: online,
		PhoneQueue: menu.Queues.Agent, WhatsAppQueue: waQueue, ChatQueue: cfg.DefaultQueue,
		AllowedOrigins: cfg.LivechatAllowedOrigins, PublicURL: cfg.BaseURL(), Log: log})
}
