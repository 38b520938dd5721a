package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/identity"
)

// Parser turns webhook bodies into envelopes. Queues maps business numbers
// (phone_number_id) to the queue their messages ask for.
type Parser struct {
	Queues map[string]string
	// Now stands in for the clock when a message carries no timestamp.
	Now func() time.Time
}

// Parse reads one webhook body. It fails (wrapping ErrPayload) only when the
// body is not a WhatsApp webhook at all. A message or status that cannot be
// made into a valid envelope or job is listed in Batch.Refused and the
// others are kept; anything it does not know (a new message type, another
// field) is kept or skipped safely, never dropped silently.
func (p Parser) Parse(body []byte) (Batch, error) {
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil { // also refuses trailing data
		return Batch{}, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if w.Object != objectWABA {
		return Batch{}, fmt.Errorf("%w: object %q is not %s", ErrPayload, w.Object, objectWABA)
	}
	var b Batch
	for _, e := range w.Entry {
		for _, ch := range e.Changes {
			if ch.Field != "messages" {
				continue // account, template and quality updates: not ours to store
			}
			v := ch.Value
			for _, pe := range v.Errors {
				b.Problems = append(b.Problems, pe.describe())
			}
			names := make(map[string]string, len(v.Contacts))
			for _, c := range v.Contacts {
				names[c.WaID] = c.Profile.Name
			}
			for _, raw := range v.Messages {
				var m message
				err := json.Unmarshal(raw, &m)
				var in envelope.Inbound
				var job *MediaJob
				if err == nil {
					in, job, err = p.inbound(v.Metadata, names, m)
				}
				if err != nil {
					b.Refused = append(b.Refused, refused("message", raw, err))
					continue
				}
				b.Messages = append(b.Messages, in)
				if job != nil {
					b.Media = append(b.Media, *job)
				}
			}
			for _, raw := range v.Statuses {
				var s status
				err := json.Unmarshal(raw, &s)
				var job StatusJob
				ok := false
				if err == nil {
					job, ok, err = p.status(s)
				}
				if err != nil {
					b.Refused = append(b.Refused, refused("status", raw, err))
					continue
				}
				if ok {
					b.Statuses = append(b.Statuses, job)
				}
			}
		}
	}
	return b, nil
}

func (p Parser) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

// unixTime reads Meta's timestamps: seconds since the epoch, as a string.
func (p Parser) unixTime(s unixStamp) time.Time {
	n, err := strconv.ParseInt(string(s), 10, 64)
	now := p.now()
	// A time WhatsApp cannot have meant (before it existed, or a day
	// ahead of us) would misplace the message in its thread; now is the
	// better guess.
	if err != nil || n < 1230768000 || n > now.Add(24*time.Hour).Unix() {
		return now
	}
	return time.Unix(n, 0).UTC()
}

func (p Parser) inbound(md metadata, names map[string]string, m message) (envelope.Inbound, *MediaJob, error) {
	if m.ID == "" || m.From == "" {
		return envelope.Inbound{}, nil, because(envelope.CauseMissing, fmt.Errorf("%w: message without id or sender", ErrPayload))
	}
	phone, err := waSender(m.From)
	if err != nil {
		return envelope.Inbound{}, nil, because(envelope.CauseSender, fmt.Errorf("%w: message %s: sender: %v", ErrPayload, m.ID, err))
	}
	in := envelope.Inbound{
		V:                 envelope.Version,
		Channel:           domain.ChannelWhatsApp,
		ProviderMessageID: m.ID,
		Sender:            envelope.Sender{Name: clip(names[m.From], 256), Phone: phone, WaID: phone},
		ReceivedAt:        p.unixTime(m.Timestamp),
		Fields:            map[string]string{envelope.FieldKind: kindOf(m.Type)},
	}
	if md.PhoneNumberID != "" {
		in.Fields[envelope.FieldVia] = clip(md.PhoneNumberID, 64)
		if q := p.Queues[md.PhoneNumberID]; q != "" {
			in.Fields[envelope.FieldQueue] = q
		}
	}
	if m.Context != nil && m.Context.ID != "" {
		in.Fields[envelope.FieldReplyTo] = clip(m.Context.ID, envelope.MaxFieldValueBytes)
	}
	if m.Referral != nil && m.Referral.SourceURL != "" {
		in.Fields["referral"] = clip(m.Referral.SourceURL, envelope.MaxFieldValueBytes)
	}
	job := p.content(&in, m)
	in.Text = clip(strings.TrimSpace(in.Text), envelope.MaxTextBytes)
	if in.Text == "" && len(in.Attachments) == 0 {
		// A message with nothing to show (an empty reaction: the citizen
		// took it back) still is a message; the agent sees its type.
		in.Text = "[" + in.Fields[envelope.FieldKind] + "]"
	}
	if err := in.Validate(); err != nil {
		return envelope.Inbound{}, nil, because(envelope.CauseInvalid, fmt.Errorf("%w: message %s: %v", ErrPayload, m.ID, err))
	}
	return in, job, nil
}

// kindOf is the message type as kept in Fields["kind"]; "unknown" and
// "unsupported" both mean WhatsApp could not pass the content on.
func kindOf(t string) string {
	switch t {
	case "", "unknown":
		return string(domain.KindUnsupported)
	}
	return clip(t, 64)
}

// content fills text, attachments and fields from the typed part of m and
// returns the media to fetch, if any.
func (p Parser) content(in *envelope.Inbound, m message) *MediaJob {
	f := in.Fields
	switch m.Type {
	case "text":
		if m.Text != nil {
			in.Text = m.Text.Body
		}
	case "image", "audio", "video", "document", "sticker":
		md := map[string]*media{"image": m.Image, "audio": m.Audio, "video": m.Video, "document": m.Document, "sticker": m.Sticker}[m.Type]
		if md == nil || md.ID == "" {
			in.Text = "[" + m.Type + "]"
			return nil
		}
		in.Text = md.Caption
		if md.Voice {
			f["voice"] = "true"
		}
		mime := baseMIME(md.MimeType)
		key := placeholderPrefix + clip(md.ID, 200)
		in.Attachments = []envelope.Attachment{{Key: key, Filename: clip(fileName(m.Type, md), 255), MIME: mime, Unavailable: true}}
		return &MediaJob{MediaID: md.ID, Key: key, MIME: mime, SHA256: md.SHA256, WAMID: m.ID, Filename: md.Filename}
	case "location":
		if l := m.Location; l != nil {
			var parts []string
			for _, s := range []string{l.Name, l.Address} {
				if s != "" {
					parts = append(parts, s)
				}
			}
			lat, lng := strconv.FormatFloat(l.Latitude, 'f', -1, 64), strconv.FormatFloat(l.Longitude, 'f', -1, 64)
			parts = append(parts, "https://maps.google.com/?q="+lat+","+lng)
			in.Text = strings.Join(parts, "\n")
			f["latitude"], f["longitude"] = lat, lng
		}
	case "contacts":
		var lines []string
		for _, c := range m.Contacts {
			var phones []string
			for _, ph := range c.Phones {
				phones = append(phones, ph.Phone)
			}
			for _, e := range c.Emails {
				phones = append(phones, e.Email)
			}
			name := c.Name.FormattedName
			if name == "" {
				name = strings.TrimSpace(c.Name.FirstName + " " + c.Name.LastName)
			}
			lines = append(lines, strings.TrimSpace(name+": "+strings.Join(phones, ", ")))
		}
		in.Text = strings.Join(lines, "\n")
	case "interactive":
		if it := m.Interactive; it != nil {
			switch {
			case it.ButtonReply != nil:
				in.Text = it.ButtonReply.Title
				f[envelope.FieldButtonPayload] = clip(it.ButtonReply.ID, envelope.MaxFieldValueBytes)
			case it.ListReply != nil:
				in.Text = strings.TrimSpace(it.ListReply.Title + "\n" + it.ListReply.Description)
				f[envelope.FieldButtonPayload] = clip(it.ListReply.ID, envelope.MaxFieldValueBytes)
			case it.NFMReply != nil:
				in.Text = strings.TrimSpace(it.NFMReply.Body + "\n" + it.NFMReply.ResponseJSON)
			}
			if it.Type != "" {
				f["interactive_type"] = clip(it.Type, 64)
			}
		}
	case "button":
		if m.Button != nil {
			in.Text = m.Button.Text
			f[envelope.FieldButtonPayload] = clip(m.Button.Payload, envelope.MaxFieldValueBytes)
		}
	case "reaction":
		if r := m.Reaction; r != nil {
			in.Text = r.Emoji
			if r.MessageID != "" {
				f[envelope.FieldReplyTo] = clip(r.MessageID, envelope.MaxFieldValueBytes)
			}
		}
	case "order":
		if o := m.Order; o != nil {
			lines := []string{o.Text}
			for _, it := range o.ProductItems {
				lines = append(lines, fmt.Sprintf("%s × %d @ %s %s", it.ProductRetailerID, it.Quantity, it.ItemPrice, it.Currency))
			}
			in.Text = strings.Join(lines, "\n")
			if o.CatalogID != "" {
				f["catalog_id"] = clip(o.CatalogID, 256)
			}
		}
	case "system":
		if s := m.System; s != nil {
			in.Text = s.Body
			if s.Type != "" {
				f["system_type"] = clip(s.Type, 64)
			}
		}
	default:
		// unsupported, unknown, or a type newer than this code: kept,
		// shown to the agent as unsupported with WhatsApp's reason.
		var reasons []string
		for _, e := range m.Errors {
			reasons = append(reasons, e.describe())
		}
		if len(reasons) > 0 {
			f["error"] = clip(strings.Join(reasons, "; "), envelope.MaxFieldValueBytes)
		}
		if m.Type != "unsupported" && m.Type != "unknown" && m.Type != "" {
			f["original_type"] = clip(m.Type, 64)
		}
		f[envelope.FieldKind] = string(domain.KindUnsupported)
		in.Text = strings.TrimSpace("[unsupported]\n" + f["error"])
	}
	return nil
}

func (p Parser) status(s status) (StatusJob, bool, error) {
	if s.ID == "" {
		return StatusJob{}, false, because(envelope.CauseMissing, fmt.Errorf("%w: status without message id", ErrPayload))
	}
	job := StatusJob{WAMID: s.ID, At: p.unixTime(s.Timestamp), Ref: clip(s.BizOpaqueCallbackData, 512)}
	switch s.Status {
	case "sent":
		job.Status = domain.DeliverySent
	case "delivered":
		job.Status = domain.DeliveryDelivered
	case "read":
		job.Status = domain.DeliveryRead
	case "failed":
		job.Status = domain.DeliveryFailed
		var reasons []string
		for _, e := range s.Errors {
			reasons = append(reasons, e.describe())
		}
		job.Error = strings.Join(reasons, "; ")
		if job.Error == "" {
			job.Error = "WhatsApp reported the message as failed"
		}
	default:
		return StatusJob{}, false, nil // "deleted", "warning", …: nothing an agent acts on
	}
	return job, true, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// baseMIME drops parameters ("audio/ogg; codecs=opus" → "audio/ogg").
func baseMIME(s string) string {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 100 {
		return "application/octet-stream"
	}
	return s
}

func fileName(kind string, md *media) string {
	if md.Filename != "" {
		return md.Filename
	}
	return kind
}

// clip cuts s to at most n bytes on a rune boundary and drops invalid UTF-8.
func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// refusal is an item's parse error with its cause (an envelope.Cause*
// word); an error without one is an item that did not decode.
type refusal struct {
	cause string
	err   error
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

func because(cause string, err error) error { return &refusal{cause: cause, err: err} }

// refused records an item that was not accepted: why, its id and sender
// when they can be read, and the item as sent (cut to fit
// envelope.MaxRefusedRaw, then no longer JSON, so it is kept as a JSON
// string).
func refused(item string, raw json.RawMessage, err error) Refused {
	cause := envelope.CauseUnreadable
	var rf *refusal
	if errors.As(err, &rf) {
		cause = rf.cause
	}
	id, from := rawIDs(raw, item)
	if !errors.Is(err, ErrPayload) {
		err = fmt.Errorf("%w: %s %s: %v", ErrPayload, item, clip(id, 256), err)
	}
	r := Refused{ID: clip(id, 256), Item: item, Sender: readableSender(from), Cause: cause, Reason: clip(err.Error(), 1024), Raw: raw}
	if len(raw) > envelope.MaxRefusedRaw {
		// Escaping makes the string longer than the bytes it quotes.
		for n := envelope.MaxRefusedRaw - 2; ; n = n * 3 / 4 {
			cut, _ := json.Marshal(clip(string(raw), n))
			if len(cut) <= envelope.MaxRefusedRaw {
				r.Raw = cut
				break
			}
		}
	}
	return r
}

// waSender is a message's "from" as an E.164 number. WhatsApp knows its
// users' numbers better than our numbering rules: digits it sends (6 to
// 15) are kept as they are rather than losing the message. Anything else
// is not a WhatsApp sender: the numbering rules' error.
func waSender(from string) (string, error) {
	phone, err := identity.NormalizeWaID(from)
	if err == nil {
		return phone, nil
	}
	if allDigits(from) && len(from) >= 6 && len(from) <= 15 {
		return "+" + from, nil
	}
	return "", err
}

// readableSender is from as waSender reads it, or "" when it cannot.
func readableSender(from string) string {
	phone, _ := waSender(from)
	return phone
}

// rawIDs reads the "id" of an item that may not decode as a whole, and
// its citizen's number: a message's "from", a status's "recipient_id".
func rawIDs(raw json.RawMessage, item string) (id, from string) {
	var probe struct {
		ID          any `json:"id"`
		From        any `json:"from"`
		RecipientID any `json:"recipient_id"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return "", ""
	}
	id, _ = probe.ID.(string)
	if item == "status" {
		from, _ = probe.RecipientID.(string)
	} else {
		from, _ = probe.From.(string)
	}
	return id, from
}
