package app

import (
	"fmt"
	"slices"

	"tanggap/channels"
	"tanggap/internal/config"
	"tanggap/internal/domain"
)

// channelsOn are the channels this installation runs, an adapter each:
// the web form, the phone line and live chat always, WhatsApp only with
// its settings (newWhatsApp). The ticket service needs them before the
// adapters exist (the adapters need the ticket service); sameChannels
// keeps the two in step.
func channelsOn(cfg config.Config) []domain.Channel {
	on := []domain.Channel{domain.ChannelWebform, domain.ChannelVoice, domain.ChannelLiveChat}
	if cfg.WhatsApp.Enabled() {
		on = append(on, domain.ChannelWhatsApp)
	}
	return on
}

// channelsOff are the channels of domain.Channels not in on: their queued
// replies are settled by channels.RunOff.
func channelsOff(on []domain.Channel) []domain.Channel {
	var off []domain.Channel
	for _, c := range domain.Channels {
		if !slices.Contains(on, c) {
			off = append(off, c)
		}
	}
	return off
}

// sameChannels refuses a start where the channels the ticket service
// takes replies on are not exactly the adapters built.
func sameChannels(on []domain.Channel, adapters []channels.Adapter) error {
	built := make([]domain.Channel, 0, len(adapters))
	for _, a := range adapters {
		built = append(built, domain.Channel(a.Channel()))
	}
	want := slices.Clone(on)
	slices.Sort(want)
	slices.Sort(built)
	if !slices.Equal(want, built) {
		return fmt.Errorf("app: replies taken on channels %v, adapters built for %v", want, built)
	}
	return nil
}

// webhookChannels are the running channels a provider calls webhooks of:
// the admins' webhook health lists each, even before its first delivery.
func webhookChannels(on []domain.Channel) []string {
	var out []string
	for _, c := range on {
		if c == domain.ChannelWhatsApp || c == domain.ChannelVoice {
			out = append(out, string(c))
		}
	}
	return out
}
