package livechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/identity"
	"tanggap/internal/locale"
	"tanggap/internal/mask"
	"tanggap/internal/realtime"
	"tanggap/internal/tracking"
)

// replayPage bounds one database read of a replay.
const replayPage = 200

// frameTimeout bounds the work one frame may cause (bus publish,
// database writes).
const frameTimeout = 10 * time.Second

// session is one connection's protocol state; only the connection's
// reader goroutine touches visitorID (set once by hello).
type session struct {
	visitorID string
	mu        sync.Mutex
	closed    bool
}

// Open starts a session; nothing is sent until the widget says hello.
func (a *Adapter) Open(c *realtime.Conn) { c.State = &session{} }

// Closed drops the connection's subscription.
func (a *Adapter) Closed(c *realtime.Conn) {
	s := c.State.(*session)
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	if s.visitorID != "" {
		a.fan.Unsubscribe(c, topic(s.visitorID))
	}
}

// Limited answers a frame over the rate limit; a message in it keeps its
// client id so the widget sends it again later.
func (a *Adapter) Limited(c *realtime.Conn, data []byte) {
	var f struct {
		CID string `json:"cid"`
	}
	_ = json.Unmarshal(data, &f)
	if !validCID(f.CID) {
		f.CID = ""
	}
	c.Send(encode(ErrorFrame{V: ProtocolVersion, Type: TypeError, Code: ErrCodeRateLimited, CID: f.CID}))
}

// Frame handles one frame from a widget.
func (a *Adapter) Frame(c *realtime.Conn, data []byte) {
	s := c.State.(*session)
	f, err := DecodeClient(data)
	if err != nil {
		c.Send(encode(ErrorFrame{V: ProtocolVersion, Type: TypeError, Code: ErrCodeBadFrame, CID: cidOf(f)}))
		return
	}
	if f.Type == TypePing {
		c.Send(encode(struct {
			V    int    `json:"v"`
			Type string `json:"type"`
		}{ProtocolVersion, TypePong}))
		return
	}
	if s.visitorID == "" && f.Type != TypeHello {
		c.Send(encode(ErrorFrame{V: ProtocolVersion, Type: TypeError, Code: ErrCodeNoHello, CID: cidOf(f)}))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), frameTimeout)
	defer cancel()
	switch f.Type {
	case TypeHello:
		err = a.hello(ctx, c, s, f)
	case TypeMessage:
		err = a.message(ctx, c, s, f)
	case TypeTyping:
		err = a.visitorTyping(ctx, s, f.On)
	case TypeMark:
		err = a.mark(ctx, s, f)
	case TypeProfile:
		err = a.profile(ctx, c, s, f)
	case TypeNew:
		err = a.newConversation(ctx, s)
	case TypeSync:
		err = a.replay(ctx, c, s.visitorID, f.After)
	case TypeRate:
		err = a.rate(ctx, s, f)
	}
	if err != nil {
		code := ErrCodeUnavailable
		var fe *fieldError
		switch {
		case errors.As(err, &fe):
			c.Send(encode(ErrorFrame{V: ProtocolVersion, Type: TypeError, Code: ErrCodeInvalid, Field: fe.field}))
			return
		case errors.Is(err, errBadFile):
			code = ErrCodeBadFile
		case errors.Is(err, errAlreadyRated):
			code = ErrCodeAlreadyRated
		case errors.Is(err, errSurveyClosed):
			code = ErrCodeSurveyClosed
		default:
			a.log.Warn("livechat frame failed", "type", f.Type, "err", err)
		}
		c.Send(encode(ErrorFrame{V: ProtocolVersion, Type: TypeError, Code: code, CID: f.CID}))
	}
}

func cidOf(f ClientFrame) string {
	if validCID(f.CID) {
		return f.CID
	}
	return ""
}

// hello identifies the visitor (or makes a new one), subscribes the
// connection to the visitor's topic, welcomes it and replays what it
// missed. The subscription comes before the replay, so an entry appended
// meanwhile arrives by one or the other (or both: widgets drop repeats).
func (a *Adapter) hello(ctx context.Context, c *realtime.Conn, s *session, f ClientFrame) error {
	if s.visitorID != "" {
		return nil // one hello per connection
	}
	now := time.Now().UTC()
	lang, _ := locale.Normalize(f.Lang)
	id := ""
	if f.Token != "" {
		if vid, err := a.sign.visitor(f.Token); err == nil {
			id = vid
		}
	}
	var v visitorRow
	var err error
	if id != "" {
		v, err = a.store.visitor(ctx, id)
		if errors.Is(err, ErrVisitorNotFound) {
			id = ""
		} else if err != nil {
			return err
		}
	}
	after := f.After
	created := false
	if id == "" {
		// A new visitor, or a token this deployment does not know: a
		// fresh identity and conversation; history starts at 0.
		if id, err = newVisitorID(); err != nil {
			return err
		}
		v = visitorRow{ID: id, Lang: lang, TrackingNumber: tracking.Generate(), State: "none"}
		if err := a.appender.create(ctx, id, v.TrackingNumber, lang, now); err != nil {
			return err
		}
		after = 0
		created = true
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	if err := a.fan.Subscribe(c, topic(id)); err != nil {
		s.mu.Unlock()
		return err
	}
	s.visitorID = id
	s.mu.Unlock()
	conv := Conversation{TN: v.TrackingNumber, State: v.State}
	if v.AgentID != nil {
		if ts, err := a.o.Tickets.Briefs(ctx, []string{v.TrackingNumber}); err == nil {
			conv.Agent = ts[v.TrackingNumber].AssigneeName
		}
	}
	c.Send(encode(Welcome{V: ProtocolVersion, Type: TypeWelcome, Token: a.sign.token(id),
		Visitor: VisitorInfo{Name: v.Name, Phone: v.Phone, Email: v.Email}, Conversation: conv, LastSeq: v.LastSeq,
		Limits: Limits{MaxTextRunes: MaxTextRunes, MaxFiles: MaxFiles, MaxFileBytes: a.o.MaxFileBytes, FileTypes: a.o.FileTypes}}))
	if created {
		// Nobody else knows the new id yet, so its log is empty: no
		// database read to find that out.
		c.Send(encode(Replayed{V: ProtocolVersion, Type: TypeReplayed, LastSeq: 0}))
		return nil
	}
	if err := a.replay(ctx, c, id, after); err != nil {
		return err
	}
	if v.State == "open" {
		a.markDirty()
	}
	return nil
}

// replay sends the entries after seq, then a "replayed" frame.
func (a *Adapter) replay(ctx context.Context, c *realtime.Conn, visitorID string, after int64) error {
	last := after
	for {
		rows, err := a.store.entries(ctx, visitorID, last, replayPage)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if !c.SendWait(a.entryFrame(visitorID, r), 10*time.Second) {
				return nil
			}
			last = r.Seq
		}
		if len(rows) < replayPage {
			break
		}
	}
	c.Send(encode(Replayed{V: ProtocolVersion, Type: TypeReplayed, LastSeq: last}))
	return nil
}

var errBadFile = errors.New("livechat: file not issued to this visitor")

// message publishes a visitor message and acks it once JetStream has it.
// The provider message id is visitor + client id, so a resend (the ack was
// lost) is dropped by the stream's dedupe window and the database's unique
// key, and the log's dedupe key stores it once.
func (a *Adapter) message(ctx context.Context, c *realtime.Conn, s *session, f ClientFrame) error {
	vid := s.visitorID
	dedupe := "c:" + f.CID
	// No lookup of the client id first: a resend is published again (the
	// stream drops the copy by its Nats-Msg-Id) and the append below finds
	// the stored entry, whose seq the ack repeats.
	for _, fl := range f.Files {
		if !a.sign.check(fl.Sig, "upload", vid, fl.Key, fl.MIME, strconv.FormatInt(fl.Size, 10), fl.Name) {
			return errBadFile
		}
	}
	v, err := a.store.visitor(ctx, vid)
	if err != nil {
		return err
	}
	if v.State == "solved" {
		// A closed ticket takes no more messages; the core would open a
		// ticket under a number this conversation does not know. Start
		// a new conversation first.
		ts, err := a.o.Tickets.Briefs(ctx, []string{v.TrackingNumber})
		if err != nil {
			return err
		}
		if ts[v.TrackingNumber].Status == domain.StatusClosed {
			if err := a.newConversation(ctx, s); err != nil {
				return err
			}
			if v, err = a.store.visitor(ctx, vid); err != nil {
				return err
			}
		}
	}
	files := make([]File, 0, len(f.Files))
	atts := make([]envelope.Attachment, 0, len(f.Files))
	for _, fl := range f.Files {
		files = append(files, File{Key: fl.Key, Name: fl.Name, MIME: fl.MIME, Size: fl.Size})
		atts = append(atts, envelope.Attachment{Key: fl.Key, Filename: fl.Name, MIME: fl.MIME, Size: fl.Size})
	}
	// A chat message (domain.KindChat) names its conversation's ticket:
	// the core opens the ticket under the thread_ref the gateway minted and
	// threads later messages naming it into it (reopening it when solved);
	// a new conversation mints a new number, so it opens a new ticket
	// whatever the core's rules for threading by contact are.
	in := envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelLiveChat,
		ProviderMessageID: vid + ":" + f.CID,
		Sender:            envelope.Sender{Name: v.Name, Phone: v.Phone, Email: v.Email, VisitorID: vid},
		Text:              f.Text,
		Attachments:       atts,
		Fields:            map[string]string{envelope.FieldKind: string(domain.KindChat)},
		ThreadRef:         v.TrackingNumber,
		ReceivedAt:        time.Now().UTC(),
	}
	if len(atts) == 0 {
		in.Attachments = nil
	}
	if err := in.Validate(); err != nil {
		return fmt.Errorf("livechat: %w", err)
	}
	if err := a.o.Bus.PublishInbound(ctx, in); err != nil {
		return err
	}
	e := newEntry{kind: KindMessage, dedupe: dedupe, tn: v.TrackingNumber, body: entryBody{CID: f.CID, Text: f.Text, Files: files}}
	now := time.Now().UTC()
	row, fresh, ok, err := a.appendEntry(ctx, vid, e, wroteChange(now), now)
	if err != nil {
		// Published but not in the log: the widget gets no ack and sends
		// again; the bus drops the copy and this append is retried.
		return err
	}
	if !ok {
		return ErrVisitorNotFound
	}
	// The ack goes into this connection's queue before the entry is
	// fanned out, so the sender always sees its ack first and its entry
	// after it (the fan-out comes back through NATS to every tab).
	c.Send(encode(Ack{V: ProtocolVersion, Type: TypeAck, CID: f.CID, Seq: row.Seq}))
	if fresh {
		a.publish(vid, row)
		if v.State != "open" {
			a.markDirty()
		}
	}
	return nil
}

// visitorTyping tells agents' screens (an event on cc.events) that the
// visitor is typing in the conversation.
func (a *Adapter) visitorTyping(ctx context.Context, s *session, on bool) error {
	v, err := a.store.visitor(ctx, s.visitorID)
	if err != nil {
		return err
	}
	if v.State == "none" {
		return nil // no ticket yet: nobody to tell
	}
	ts, err := a.o.Tickets.Briefs(ctx, []string{v.TrackingNumber})
	if err != nil {
		return err
	}
	t, ok := ts[v.TrackingNumber]
	if !ok {
		return nil // the core has not stored the ticket yet
	}
	ev := bus.TicketTyping{Scope: bus.Scope{TicketID: t.ID}, On: on, At: time.Now().UTC()}
	if t.QueueID != nil {
		ev.QueueID = *t.QueueID
	}
	if t.AssigneeID != nil {
		ev.AssigneeID = *t.AssigneeID
	}
	a.o.Bus.Emit(ev)
	return nil
}

// mark turns a widget's delivered/read mark of an agent reply into a
// delivery receipt for the core.
func (a *Adapter) mark(ctx context.Context, s *session, f ClientFrame) error {
	row, ok, err := a.store.entryBySeq(ctx, s.visitorID, f.Seq)
	if err != nil {
		return err
	}
	if !ok || row.Kind != KindReply || row.MessageID == nil {
		return nil // nothing to mark: not an agent reply of this visitor
	}
	return a.o.Bus.PublishReceipt(ctx, envelope.Receipt{V: envelope.Version, Channel: domain.ChannelLiveChat,
		MessageID: *row.MessageID, Status: f.Status, At: time.Now().UTC()})
}

// fieldError refuses one pre-chat field.
type fieldError struct{ field string }

func (e *fieldError) Error() string { return "livechat: invalid " + e.field }

// profile stores the pre-chat form. A phone or email links the visitor to
// the citizen's existing contact when the core resolves the next message.
func (a *Adapter) profile(ctx context.Context, c *realtime.Conn, s *session, f ClientFrame) error {
	phone, email := "", ""
	if f.Phone != "" {
		p, err := identity.NormalizePhone(f.Phone)
		if err != nil {
			return &fieldError{"phone"}
		}
		phone = p
	}
	if f.Email != "" {
		e, err := identity.NormalizeEmail(f.Email)
		if err != nil {
			return &fieldError{"email"}
		}
		email = e
	}
	name := stripControl(f.Name)
	if err := a.store.setProfile(ctx, s.visitorID, name, phone, email, time.Now().UTC()); err != nil {
		return err
	}
	a.log.Debug("livechat profile", mask.PhoneAttr("phone", phone), mask.EmailAttr("email", email))
	c.Send(encode(struct {
		V       int         `json:"v"`
		Type    string      `json:"type"`
		Visitor VisitorInfo `json:"visitor"`
	}{ProtocolVersion, TypeProfile, VisitorInfo{Name: name, Phone: phone, Email: email}}))
	return nil
}

// newConversation starts a new conversation (a new ticket with the next
// message) unless the current one has no message yet.
func (a *Adapter) newConversation(ctx context.Context, s *session) error {
	tn := tracking.Generate()
	row, _, ok, err := a.appendEntry(ctx, s.visitorID, newEntry{kind: KindNew, tn: tn},
		change{set: "tracking_number = ?, state = 'none', agent_id = NULL", setArgs: []any{tn}, where: "state <> 'none'"},
		time.Now().UTC())
	if err != nil || !ok {
		return err
	}
	a.publish(s.visitorID, row)
	return nil
}

// entryFrame renders a log entry for the widget.
func (a *Adapter) entryFrame(visitorID string, r logRow) []byte {
	var b entryBody
	_ = json.Unmarshal([]byte(r.Body), &b) // written by this package
	for i := range b.Files {
		b.Files[i].URL = a.fileURL(visitorID, b.Files[i])
	}
	return encode(Entry{V: ProtocolVersion, Type: TypeEntry, Seq: r.Seq, Kind: r.Kind, TN: r.TrackingNumber, At: r.CreatedAt.UTC(),
		CID: b.CID, Text: b.Text, Files: b.Files, Agent: b.Agent, Survey: b.Survey, Rating: b.Rating})
}

// fileURL is the signed download link of a file in a visitor's log,
// relative to the server.
func (a *Adapter) fileURL(visitorID string, f File) string {
	q := url.Values{}
	q.Set("v", visitorID)
	q.Set("k", f.Key)
	q.Set("m", f.MIME)
	q.Set("n", f.Name)
	q.Set("s", a.sign.mac("download", visitorID, f.Key, f.MIME, f.Name))
	return "/livechat/file?" + q.Encode()
}

func stripControl(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}
