package envelope

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Why an item was refused, in a word an admin screen can put in a
// sentence (locale keys refused.cause_<cause>).
const (
	// CauseUnreadable: the item is not what the provider documents (a
	// field of the wrong type, broken JSON).
	CauseUnreadable = "unreadable"
	// CauseMissing: no id or no sender.
	CauseMissing = "missing"
	// CauseSender: a sender that is no phone number (or address) we know.
	CauseSender = "sender"
	// CauseInvalid: read, but not a valid message (too long, a field
	// over its limit).
	CauseInvalid = "invalid"
)

// MaxRefusedRaw bounds the copy of a refused item a record carries.
const MaxRefusedRaw = 16 << 10

// Refused is the record of one item a channel received and could not
// make into an Inbound (a message or status of a provider's webhook). The
// adapter publishes it on the inbound subject of its channel instead of
// dropping it, wrapped as {"refused": …} so the core tells it from an
// Inbound; the core keeps it for admins (internal/refused).
type Refused struct {
	V       int     `json:"v"`
	Channel Channel `json:"channel"`
	// ID names the record for ever: the Nats-Msg-Id it is published
	// under; the core stores a record once per ID.
	ID string `json:"id"`
	// Item is what was refused in the provider's words ("message",
	// "status").
	Item string `json:"item"`
	// ProviderMessageID and Sender (E.164) when they could be read.
	ProviderMessageID string `json:"provider_message_id,omitempty"`
	Sender            string `json:"sender,omitempty"`
	// Cause is one of the Cause* words; Reason is the adapter's parse
	// error, naming no content of the item.
	Cause  string `json:"cause"`
	Reason string `json:"reason"`
	// Raw is the item as sent (at most MaxRefusedRaw bytes; cut, it is a
	// JSON string).
	Raw        json.RawMessage `json:"raw"`
	ReceivedAt time.Time       `json:"received_at"`
}

// RefusedRecord is the JSON form of a Refused on the bus.
type RefusedRecord struct {
	Refused *Refused `json:"refused"`
}

// refusedPrefix begins every record (json.Marshal of a RefusedRecord),
// and no Inbound: checked without reading the rest of a message.
var refusedPrefix = []byte(`{"refused":`)

// DecodeRefused reports whether data is a refused item's record and, if
// so, reads it; ok with an error is a record that cannot be kept.
func DecodeRefused(data []byte) (r Refused, ok bool, err error) {
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), refusedPrefix) {
		return Refused{}, false, nil // the common case: an Inbound, not parsed twice
	}
	var rec RefusedRecord
	if json.Unmarshal(data, &rec) != nil || rec.Refused == nil {
		return Refused{}, false, nil
	}
	r = *rec.Refused
	if r.V != Version || !r.Channel.Known() || r.ID == "" || r.Item == "" || r.Reason == "" || len(r.Raw) > MaxRefusedRaw {
		return r, true, fmt.Errorf("%w: refused record v=%d channel=%q id=%q item=%q", ErrInvalid, r.V, r.Channel, r.ID, r.Item)
	}
	return r, true, nil
}
