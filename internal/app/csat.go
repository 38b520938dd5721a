package app

import (
	"log/slog"

	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/csat"
	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// newCSAT builds the satisfaction service. Survey links are signed with a
// key derived from the deployment's signing secret (the live-chat secret,
// LIVECHAT_SECRET or the one generated in the data folder), so every
// instance makes and accepts the same links. pushWhatsApp: the WhatsApp
// channel is on and asks its citizens itself.
func newCSAT(cfg config.Config, d *db.DB, b *bus.Bus, secret []byte, pushWhatsApp bool, log *slog.Logger) *csat.Service {
	// Only channels whose adapter works csat's ask jobs are listed: a job
	// nobody takes would wait on the stream for ever. The chat widget
	// shows its rating card (delivery works its jobs).
	push := []string{string(domain.ChannelLiveChat)}
	if pushWhatsApp {
		push = append(push, string(domain.ChannelWhatsApp))
	}
	return csat.New(csat.Opts{DB: d, Bus: b, Secret: secret, PublicURL: cfg.BaseURL(), Push: push, Log: log,
		Config: csat.Config{LinkTTL: cfg.CSAT.LinkTTL, SatisfiedMin: cfg.CSAT.SatisfiedMin, AlertMax: cfg.CSAT.AlertMax}})
}
