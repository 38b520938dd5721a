package envelope

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"tanggap/internal/domain"
)

// Limits on an inbound envelope. They bound what one citizen message may
// weigh on the bus and in the database.
const (
	MaxTextBytes         = 64 << 10
	MaxAttachments       = 10
	MaxProviderIDBytes   = 256
	MaxFieldCount        = 32
	MaxFieldValueBytes   = 1024
	maxIdentityValueSize = 256
)

// ErrInvalid is wrapped by every validation failure.
var ErrInvalid = errors.New("envelope: invalid")

// Validate lists every problem with the envelope at once.
func (in *Inbound) Validate() error {
	var p []string
	if in.V != Version {
		p = append(p, fmt.Sprintf("version %d not supported (want %d)", in.V, Version))
	}
	if !in.Channel.Known() {
		p = append(p, fmt.Sprintf("unknown channel %q", in.Channel))
	}
	if in.ProviderMessageID == "" {
		p = append(p, "provider_message_id is empty")
	} else if len(in.ProviderMessageID) > MaxProviderIDBytes {
		p = append(p, "provider_message_id too long")
	}
	if !in.Sender.HasIdentity() {
		p = append(p, "sender has no identity")
	}
	for name, v := range map[string]string{"name": in.Sender.Name, "phone": in.Sender.Phone, "email": in.Sender.Email, "nik": in.Sender.NIK, "wa_id": in.Sender.WaID, "visitor_id": in.Sender.VisitorID} {
		if len(v) > maxIdentityValueSize {
			p = append(p, "sender."+name+" too long")
		}
	}
	if in.Text == "" && len(in.Attachments) == 0 {
		p = append(p, "neither text nor attachments")
	}
	if len(in.Text) > MaxTextBytes {
		p = append(p, "text too long")
	}
	if !utf8.ValidString(in.Text) {
		p = append(p, "text is not valid UTF-8")
	}
	if len(in.Attachments) > MaxAttachments {
		p = append(p, "too many attachments")
	}
	for i, a := range in.Attachments {
		if a.Key == "" || a.MIME == "" || a.Size < 0 {
			p = append(p, fmt.Sprintf("attachment %d incomplete", i))
		}
	}
	if len(in.Fields) > MaxFieldCount {
		p = append(p, "too many fields")
	}
	for k, v := range in.Fields {
		if len(v) > MaxFieldValueBytes {
			p = append(p, "field "+k+" too long")
		}
	}
	if v, ok := in.Fields[FieldQueueStrict]; ok && (v != "true" || in.Fields[FieldQueue] == "") {
		p = append(p, "field "+FieldQueueStrict+" must be \"true\" beside a queue")
	}
	if domain.Kind(in.Fields[FieldKind]) == domain.KindChat && (in.Channel != domain.ChannelLiveChat || in.ThreadRef == "") {
		p = append(p, "field "+FieldKind+" \""+string(domain.KindChat)+"\" needs channel "+string(domain.ChannelLiveChat)+" and a thread_ref")
	}
	if in.ReceivedAt.IsZero() {
		p = append(p, "received_at is empty")
	}
	if len(p) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(p, "; "))
	}
	return nil
}

// DecodeInbound parses and validates an inbound envelope from the bus.
func DecodeInbound(data []byte) (Inbound, error) {
	var in Inbound
	if err := json.Unmarshal(data, &in); err != nil {
		return Inbound{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := in.Validate(); err != nil {
		return Inbound{}, err
	}
	return in, nil
}

// DecodeOutbound parses an outbound envelope from the bus.
func DecodeOutbound(data []byte) (Outbound, error) {
	var out Outbound
	if err := json.Unmarshal(data, &out); err != nil {
		return Outbound{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if out.V != Version || !out.Channel.Known() || out.MessageID <= 0 || out.ID == "" {
		return Outbound{}, fmt.Errorf("%w: outbound v=%d channel=%q message_id=%d id=%q", ErrInvalid, out.V, out.Channel, out.MessageID, out.ID)
	}
	if t := out.Template; t != nil && (t.Name == "" || t.Language == "") {
		return Outbound{}, fmt.Errorf("%w: outbound template without name or language", ErrInvalid)
	}
	for _, b := range out.Buttons {
		if b.ID == "" || b.Title == "" {
			return Outbound{}, fmt.Errorf("%w: outbound button without id or title", ErrInvalid)
		}
	}
	return out, nil
}

// DecodeReceipt parses a delivery receipt from the bus.
func DecodeReceipt(data []byte) (Receipt, error) {
	var r Receipt
	if err := json.Unmarshal(data, &r); err != nil {
		return Receipt{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	switch r.Status {
	case domain.DeliverySent, domain.DeliveryPosted, domain.DeliveryDelivered, domain.DeliveryRead, domain.DeliveryFailed:
	default:
		return Receipt{}, fmt.Errorf("%w: receipt status %q", ErrInvalid, r.Status)
	}
	if r.V != Version || r.MessageID <= 0 {
		return Receipt{}, fmt.Errorf("%w: receipt v=%d message_id=%d", ErrInvalid, r.V, r.MessageID)
	}
	return r, nil
}
