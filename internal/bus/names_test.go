package bus

import (
	"fmt"
	"testing"

	"tanggap/internal/domain"
)

func TestNames(t *testing.T) {
	cases := []struct {
		name   string
		prefix string
		got    func(Names) string
		want   string
	}{
		{"default prefix is cc", "", func(n Names) string { return n.Inbound(domain.ChannelWebform) }, "cc.inbound.webform"},
		{"outbound per channel", "cc", func(n Names) string { return n.Outbound(domain.ChannelWhatsApp) }, "cc.outbound.whatsapp"},
		{"receipts wildcard", "cc", func(n Names) string { return n.ReceiptsAll() }, "cc.receipts.>"},
		{"events", "cc", func(n Names) string { return n.Event("ticket", "created") }, "cc.events.ticket.created"},
		{"stream names follow the prefix", "t-1a", func(n Names) string { return n.StreamInbound() }, "T_1A_INBOUND"},
		{"test prefixes isolate subjects", "t9", func(n Names) string { return n.InboundAll() }, "t9.inbound.>"},
		{"delivery durable per channel", "cc", func(n Names) string { return n.DurableDeliver(domain.ChannelVoice) }, "deliver-voice"},
		{"jobs per channel and kind", "cc", func(n Names) string { return n.Job(domain.ChannelWhatsApp, "media") }, "cc.jobs.whatsapp.media"},
		{"jobs stream follows the prefix", "cc", func(n Names) string { return n.StreamJobs() }, "CC_JOBS"},
		{"job durable per channel and kind", "cc", func(n Names) string { return n.DurableJob(domain.ChannelWhatsApp, "status") }, "job-whatsapp-status"},
		{"routing settings notices follow the prefix", "t9", func(n Names) string { return n.RoutingSettings() }, "t9.routing.settings"},
		{"console viewers follow the prefix", "t9", func(n Names) string { return n.ConsoleViewers() }, "t9.console.viewers"},
		{"event name of an event subject", "t9", func(n Names) string { s, _ := n.EventName(n.Event("ticket", "assigned")); return s }, "ticket.assigned"},
		{"no event name outside the events", "t9", func(n Names) string { s, ok := n.EventName("t9.eventsx.a"); return s + fmt.Sprint(ok) }, "false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.got(NewNames(tc.prefix)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	if InboundMsgID(domain.ChannelWhatsApp, "wamid.1") != "whatsapp:wamid.1" || OutboundMsgID("agent-7") != "out:agent-7" || ReceiptMsgID(7, "read") != "rcpt:7:read" ||
		JobMsgID(domain.ChannelWhatsApp, "media", "m1") != "job:whatsapp:media:m1" {
		t.Fatal("Nats-Msg-Id rules changed")
	}
}
