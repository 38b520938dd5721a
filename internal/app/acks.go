package app

import (
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

// callerReceipts: a caller whose voicemail or callback request lands on
// a ticket is sent its tracking number, unless NOTIFY_RECEIVED is false.
// The core queues the jobs and notify takes them on this one setting, so
// instances cannot disagree on the SMS settings into jobs nobody takes;
// without SMS (TWILIO_SMS_FROM, sms in NOTIFY_ROUTES) notify finds no
// route and lets them go.
func callerReceipts(cfg config.Config) bool {
	return cfg.Notify.Received
}
