package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"tanggap/channels"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// Deliver sends one agent reply and reports it sent with its wamid. A
// reply already recorded as sent (a redelivery) is not sent again.
func (a *Adapter) Deliver(ctx context.Context, out envelope.Outbound) (envelope.Receipt, error) {
	if wamid, ok, err := a.store.sent(ctx, out.ID); err != nil {
		return envelope.Receipt{}, err
	} else if ok {
		return envelope.Receipt{Status: domain.DeliverySent, ExternalID: wamid, At: time.Now().UTC()}, nil
	}
	from := out.Via
	if from == "" {
		from = a.o.PhoneNumberID
	}
	if from == "" {
		return envelope.Receipt{}, channels.Permanent(errors.New("no WhatsApp business number to send from (set WHATSAPP_PHONE_NUMBER_ID)"))
	}
	to := recipient(out.To)
	if to == "" {
		return envelope.Receipt{}, channels.Permanent(errors.New("the citizen has no WhatsApp number"))
	}
	msgs, err := a.messages(ctx, from, to, out)
	if err != nil {
		return envelope.Receipt{}, classify(err)
	}
	// Each part is recorded as it goes out (the last under the reply's own
	// id, looked up above), so a retry after a partial send sends only the
	// rest, and status updates of every part find the reply.
	var wamid string
	for i, m := range msgs {
		key := out.ID
		if i < len(msgs)-1 {
			key = fmt.Sprintf("%s#%d", out.ID, i)
			if id, ok, err := a.store.sent(ctx, key); err != nil {
				return envelope.Receipt{}, err
			} else if ok {
				wamid = id
				continue
			}
		}
		if err := a.limiter(from).Wait(ctx); err != nil {
			return envelope.Receipt{}, err
		}
		id, err := a.send(ctx, from, m, out.MessageID, i)
		if err != nil {
			if i > 0 {
				a.log.Warn("reply partly sent; the rest is retried", "message_id", out.MessageID, "parts_sent", i, "err", err)
			}
			return envelope.Receipt{}, classify(err)
		}
		wamid = id
		if err := a.record(ctx, key, out.MessageID, wamid, from); err != nil {
			return envelope.Receipt{}, err
		}
	}
	return envelope.Receipt{Status: domain.DeliverySent, ExternalID: wamid, At: time.Now().UTC()}, nil
}

// send posts one part of a reply to the Graph API, traced (when a tracer
// is set) as a client span under the delivery's: the provider's send in
// the trace of the agent's reply.
func (a *Adapter) send(ctx context.Context, from string, m outMessage, messageID int64, part int) (string, error) {
	if a.o.Tracer == nil {
		return a.graph.send(ctx, from, m)
	}
	ctx, span := a.o.Tracer.Start(ctx, "whatsapp send", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.Int64("message_id", messageID), attribute.Int("part", part)))
	defer span.End()
	id, err := a.graph.send(ctx, from, m)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "graph send failed")
	}
	return id, err
}

// record keeps a sent part's wamid. It must exist before the outbound
// envelope is acked, or a redelivery sends the part again: it insists a
// little before giving up.
func (a *Adapter) record(ctx context.Context, key string, messageID int64, wamid, from string) error {
	var err error
	for attempt := range 5 {
		if err = a.store.recordSend(ctx, key, messageID, wamid, from, time.Now().UTC()); err == nil {
			return nil
		}
		a.log.Warn("recording a sent reply failed", "message_id", messageID, "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	a.log.Error("reply sent but not recorded; a redelivery may send it twice", "message_id", messageID, "wamid", wamid)
	return err
}

// classify marks errors retrying cannot fix as permanent; network errors,
// 5xx and throttling stay retryable.
func classify(err error) error {
	var ge *GraphError
	if errors.As(err, &ge) && !ge.Retryable() {
		return channels.Permanent(err)
	}
	return err
}

// recipient is the citizen's WhatsApp number as the API takes it: digits
// with country code, no "+".
func recipient(to envelope.Sender) string {
	n := to.WaID
	if n == "" {
		n = to.Phone
	}
	return strings.TrimPrefix(n, "+")
}

// Message bodies of POST /{phone-number-id}/messages, as documented.
type (
	outMessage struct {
		MessagingProduct string       `json:"messaging_product"`
		RecipientType    string       `json:"recipient_type"`
		To               string       `json:"to"`
		Type             string       `json:"type"`
		Text             *outText     `json:"text,omitempty"`
		Image            *outMedia    `json:"image,omitempty"`
		Document         *outMedia    `json:"document,omitempty"`
		Audio            *outMedia    `json:"audio,omitempty"`
		Video            *outMedia    `json:"video,omitempty"`
		Interactive      *outInteract `json:"interactive,omitempty"`
		Template         *outTemplate `json:"template,omitempty"`
	}
	outText struct {
		PreviewURL bool   `json:"preview_url"`
		Body       string `json:"body"`
	}
	outMedia struct {
		ID       string `json:"id,omitempty"`
		Link     string `json:"link,omitempty"`
		Caption  string `json:"caption,omitempty"`
		Filename string `json:"filename,omitempty"`
	}
	outInteract struct {
		Type string `json:"type"`
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Buttons []outButton `json:"buttons"`
		} `json:"action"`
	}
	outButton struct {
		Type  string `json:"type"`
		Reply struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"reply"`
	}
	outTemplate struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []outComponent `json:"components,omitempty"`
	}
	outComponent struct {
		Type       string     `json:"type"`
		Parameters []outParam `json:"parameters"`
	}
	outParam struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
)

func newMessage(to, typ string) outMessage {
	return outMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: typ}
}

// Limits of the Cloud API on what we send.
const (
	maxTextRunes    = 4096
	maxCaptionRunes = 1024
	maxButtons      = 3
)

// messages turns a reply into the API messages that carry it: a template;
// or each attachment (uploaded first; the first carries the text as its
// caption when it fits); or interactive reply buttons; or text.
func (a *Adapter) messages(ctx context.Context, from, to string, out envelope.Outbound) ([]outMessage, error) {
	if t := out.Template; t != nil {
		m := newMessage(to, "template")
		m.Template = &outTemplate{Name: t.Name}
		m.Template.Language.Code = t.Language
		if len(t.Params) > 0 {
			c := outComponent{Type: "body"}
			for _, p := range t.Params {
				c.Parameters = append(c.Parameters, outParam{Type: "text", Text: p})
			}
			m.Template.Components = []outComponent{c}
		}
		return []outMessage{m}, nil
	}
	text := out.Text
	var msgs []outMessage
	for i, att := range out.Attachments {
		id, err := a.uploadAttachment(ctx, from, att)
		if err != nil {
			return nil, err
		}
		typ := mediaType(att.MIME)
		m := newMessage(to, typ)
		om := &outMedia{ID: id}
		if i == 0 && text != "" && len(out.Buttons) == 0 && runeLen(text) <= maxCaptionRunes && typ != "audio" {
			om.Caption, text = text, ""
		}
		switch typ {
		case "image":
			m.Image = om
		case "audio":
			m.Audio = om
		case "video":
			m.Video = om
		default:
			om.Filename = att.Filename
			m.Document = om
		}
		msgs = append(msgs, m)
	}
	if text == "" {
		return msgs, nil
	}
	if n := len(out.Buttons); n > 0 && n <= maxButtons && runeLen(text) <= 1024 {
		m := newMessage(to, "interactive")
		m.Interactive = &outInteract{Type: "button"}
		m.Interactive.Body.Text = text
		for _, b := range out.Buttons {
			ob := outButton{Type: "reply"}
			ob.Reply.ID, ob.Reply.Title = b.ID, b.Title
			m.Interactive.Action.Buttons = append(m.Interactive.Action.Buttons, ob)
		}
		return append(msgs, m), nil
	}
	for _, part := range split(text, maxTextRunes) {
		m := newMessage(to, "text")
		m.Text = &outText{Body: part, PreviewURL: strings.Contains(part, "https://")}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// uploadAttachment uploads a stored file to Meta and returns its media id.
func (a *Adapter) uploadAttachment(ctx context.Context, from string, att envelope.Attachment) (string, error) {
	if a.o.Attachments == nil {
		return "", channels.Permanent(errors.New("no attachment store"))
	}
	f, err := a.o.Attachments.Open(ctx, att.Key)
	if err != nil {
		return "", channels.Permanent(fmt.Errorf("attachment %s: %w", att.Filename, err))
	}
	defer f.Close()
	name := att.Filename
	if name == "" {
		name = "file"
	}
	return a.graph.upload(ctx, from, name, uploadType(att.MIME), f)
}

func mediaType(mime string) string {
	switch {
	case mime == "image/jpeg" || mime == "image/png":
		return "image"
	case strings.HasPrefix(mime, "audio/"):
		return "audio"
	case mime == "video/mp4" || mime == "video/3gpp":
		return "video"
	}
	return "document"
}

func runeLen(s string) int { return len([]rune(s)) }

// split cuts text into parts of at most n runes, at line breaks or spaces
// when it can.
func split(text string, n int) []string {
	r := []rune(text)
	var parts []string
	for len(r) > n {
		cut := n
		for i := n; i > n/2; i-- {
			if r[i] == '\n' || r[i] == ' ' {
				cut = i
				break
			}
		}
		parts = append(parts, strings.TrimSpace(string(r[:cut])))
		r = r[cut:]
	}
	if s := strings.TrimSpace(string(r)); s != "" {
		parts = append(parts, s)
	}
	return parts
}
