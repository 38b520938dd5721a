package app

import (
	"slices"

	"tanggap/internal/config"
	"tanggap/internal/domain"
)

// ackChannels are the channels whose new tickets are acknowledged
// (ingest's Opts.Acks): WhatsApp by its adapter, when it is on and
// WHATSAPP_ACK is not false; the phone line by notify, when callers are
// sent their tracking number (callerReceipts).
func ackChannels(cfg config.Config) []domain.Channel {
	var chs []domain.Channel
	if cfg.WhatsApp.Enabled() && cfg.WhatsApp.Ack {
		chs = append(chs, domain.ChannelWhatsApp)
	}
	if callerReceipts(cfg) {
		chs = append(chs, domain.ChannelVoice)
	}
	return chs
}

// callerReceipts: a caller whose voicemail or callback request opens a
// ticket is sent its tracking number, when NOTIFY_RECEIVED is not false
// and SMS can go (TWILIO_SMS_FROM, and sms among NOTIFY_ROUTES).
func callerReceipts(cfg config.Config) bool {
	return cfg.Notify.Received && cfg.Notify.TwilioSMSFrom != "" && slices.Contains(cfg.Notify.Routes, "sms")
}
