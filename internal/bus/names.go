package bus

import (
	"strings"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// Names owns every NATS subject, stream and durable consumer name. No other
// file spells a subject. All names hang off one prefix so two deployments
// (or two test runs) can share a NATS cluster without seeing each other.
type Names struct {
	prefix string // subject root, "cc" in production
	stream string // stream name root, "CC" in production
}

// NewNames returns the names under a subject prefix (default "cc").
func NewNames(prefix string) Names {
	if prefix == "" {
		prefix = "cc"
	}
	return Names{prefix: prefix, stream: strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(prefix))}
}

// Prefix is the subject root.
func (n Names) Prefix() string { return n.prefix }

// Inbound is the subject of normalized citizen messages of one channel.
func (n Names) Inbound(ch envelope.Channel) string { return n.prefix + ".inbound." + string(ch) }

// InboundAll matches every channel's inbound subject.
func (n Names) InboundAll() string { return n.prefix + ".inbound.>" }

// Outbound is the subject of agent replies to deliver on one channel.
func (n Names) Outbound(ch envelope.Channel) string { return n.prefix + ".outbound." + string(ch) }

// OutboundAll matches every channel's outbound subject.
func (n Names) OutboundAll() string { return n.prefix + ".outbound.>" }

// Receipts is the subject of delivery receipts of one channel.
func (n Names) Receipts(ch envelope.Channel) string { return n.prefix + ".receipts." + string(ch) }

// ReceiptsAll matches every channel's receipts subject.
func (n Names) ReceiptsAll() string { return n.prefix + ".receipts.>" }

// Event is the subject of one realtime event, e.g. Event("ticket", "created"),
// or of a set of them (Event(EntityTicket, "*")) for a subscription.
// Publishers go through Bus.Emit, which takes the subject from the event's
// type (events.go). Events ride core NATS: they tell UIs to refresh, the
// database stays the truth.
func (n Names) Event(entity, action string) string {
	return n.prefix + ".events." + entity + "." + action
}

// EventsAll matches every event.
func (n Names) EventsAll() string { return n.prefix + ".events.>" }

// Job is the subject of durable background work an adapter gives itself,
// e.g. Job(whatsapp, "media") for media downloads after the webhook
// answered. Jobs are retried with backoff until they succeed or fail for
// good.
func (n Names) Job(ch envelope.Channel, kind string) string {
	return n.prefix + ".jobs." + string(ch) + "." + kind
}

// JobsAll matches every job subject.
func (n Names) JobsAll() string { return n.prefix + ".jobs.>" }

// Stream names.
func (n Names) StreamInbound() string  { return n.stream + "_INBOUND" }
func (n Names) StreamOutbound() string { return n.stream + "_OUTBOUND" }
func (n Names) StreamReceipts() string { return n.stream + "_RECEIPTS" }
func (n Names) StreamJobs() string     { return n.stream + "_JOBS" }

// StreamNotifyEvents keeps the events citizen notifications start from
// (ticket.updated, message.updated) until a notifier takes them.
func (n Names) StreamNotifyEvents() string { return n.stream + "_NOTIFY_EVENTS" }

// Durable consumer names.
func (n Names) DurableIngest() string   { return "core-ingest" }
func (n Names) DurableReceipts() string { return "core-receipts" }

// DurableNotifyEvents is the consumer, shared by every instance, through
// which internal/notify takes StreamNotifyEvents: each event goes to one.
func (n Names) DurableNotifyEvents() string { return "notify-events" }

// DurableDeliver is the durable consumer through which a channel's adapter
// takes its outbound messages.
func (n Names) DurableDeliver(ch envelope.Channel) string { return "deliver-" + string(ch) }

// DurableJob is the durable consumer working one kind of a channel's jobs.
func (n Names) DurableJob(ch envelope.Channel, kind string) string {
	return "job-" + string(ch) + "-" + kind
}

// JobMsgID is the Nats-Msg-Id of a job: one per channel, kind and key, so a
// provider's redelivery does not queue the same work twice.
func JobMsgID(ch envelope.Channel, kind, key string) string {
	return "job:" + string(ch) + ":" + kind + ":" + key
}

// InboundMsgID is the Nats-Msg-Id of an inbound envelope: the stream's
// dedupe window drops a provider's redelivery of the same message.
func InboundMsgID(ch envelope.Channel, providerMessageID string) string {
	return string(ch) + ":" + providerMessageID
}

// OutboundMsgID is the Nats-Msg-Id of an outbound envelope: its own
// unique id, never the database row id (SQLite may hand out the id of a
// rolled-back row again, and the dedupe window would then drop a new reply).
func OutboundMsgID(id string) string { return "out:" + id }

// ReceiptMsgID is the Nats-Msg-Id of a receipt: one per message and status.
func ReceiptMsgID(messageID int64, status domain.DeliveryStatus) string {
	return "rcpt:" + itoa(messageID) + ":" + string(status)
}

// Realtime is the core NATS subject that fans frames of one realtime topic
// (e.g. "livechat.v.<visitor>") out to every instance holding a
// connection subscribed to it.
func (n Names) Realtime(topic string) string { return n.prefix + ".rt." + topic }

// RoutingSettings is the core NATS subject on which an instance announces
// that it changed routing settings (queues, SLA policies, holidays), so
// every instance drops its cached copy. The notice carries nothing: the
// database holds the settings.
func (n Names) RoutingSettings() string { return n.prefix + ".routing.settings" }

// ChannelSettings is the core NATS subject on which an instance announces
// that it changed a channel's own settings kept on its admin screen (the
// WhatsApp templates), so every instance drops its cached copy. The notice
// carries nothing: the database holds the settings.
func (n Names) ChannelSettings(ch envelope.Channel) string {
	return n.prefix + ".channel." + string(ch) + ".settings"
}

// EventName is the "<entity>.<action>" of an event subject (the inverse
// of Event); ok is false for a subject outside the events.
func (n Names) EventName(subject string) (name string, ok bool) {
	root := n.prefix + ".events."
	if !strings.HasPrefix(subject, root) || len(subject) == len(root) {
		return "", false
	}
	return subject[len(root):], true
}

// ConsoleViewers is the core NATS subject on which each instance's console
// gateway announces who views or types on which ticket (on every change,
// and again every heartbeat so that an instance that died is forgotten).
func (n Names) ConsoleViewers() string { return n.prefix + ".console.viewers" }

// GroupWallboard is the queue group of the wallboard publishers: each
// event wakes one instance's publisher (Repush).
func (n Names) GroupWallboard() string { return "wallboard" }

// GroupQueueMetrics is the queue group of the queue metrics publishers.
func (n Names) GroupQueueMetrics() string { return "queue-metrics" }
