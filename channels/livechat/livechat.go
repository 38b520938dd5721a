// Package livechat is the live-chat channel: a websocket gateway for the
// chat widget on the program's websites, built on internal/realtime.
//
// Every visitor has a durable log (livechat_log) of what their widget
// shows, numbered by a per-visitor sequence. Visitor messages are
// published to the INBOUND stream like every channel's and acknowledged
// to the widget only after JetStream has them, then appended to the log;
// agent replies arrive through the delivery loop (Deliver) and are
// appended too. Every append is fanned out over NATS core to the
// visitor's connections on every instance; a widget that was away resumes
// with the last sequence it saw and the gateway replays the rest from the
// database, so nothing is lost or shown twice whatever happened to the
// fan-out meanwhile. PROTOCOL.md describes the frames.
package livechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/locale"
	"tanggap/internal/realtime"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// Waiter tells where tickets stand in their queues (routing.Metrics; the
// console's routing view reads the same estimates). Each queue's line is
// read once and shared by every ticket waiting in it.
type Waiter interface {
	EstimateWaits(ctx context.Context, ticketIDs []int64) (map[int64]routing.WaitEstimate, error)
}

// Tickets is the core's view of the conversations' tickets: state and
// agent, one statement for many (the ticket service implements it).
type Tickets interface {
	// Briefs keys tickets by tracking number; a number the core has not
	// stored yet is missing.
	Briefs(ctx context.Context, trackingNumbers []string) (map[string]ticket.Brief, error)
	// Brief is one ticket (ticket.ErrNotFound when there is none).
	Brief(ctx context.Context, id int64) (ticket.Brief, error)
}

// Opts configures the gateway.
type Opts struct {
	// DB holds the gateway's own tables (livechat_visitors, livechat_log).
	DB          *db.DB
	Bus         *bus.Bus
	Router      Waiter
	Tickets     Tickets
	Attachments attachment.Store
	Locale      *locale.Catalog
	// Secret signs visitor tokens and file links (LoadSecret).
	Secret []byte
	// AllowedOrigins are the sites that may embed the widget; PublicURL's
	// origin is always allowed.
	AllowedOrigins []string
	PublicURL      string
	// MaxFileBytes bounds one attachment; FileTypes are the accepted
	// types (sniffed). Defaults: 5 MB, attachment.Documents.
	MaxFileBytes int64
	FileTypes    []string
	// ReplyFiles bounds files agents attach to replies (reply_files.go).
	ReplyFiles channels.FileLimits
	// Realtime tunes the websocket hub (origins are filled in from above).
	Realtime realtime.Options
	// QueueEvery is how often waiting visitors get their queue position
	// even when no event said it changed. Default 15s.
	QueueEvery time.Duration
	Log        *slog.Logger
	// Brand names the program in the widget's header (launcher).
	Brand WidgetBrand
	// Surveys records the answers of the widget's rating card (csat.go;
	// nil: no rating card).
	Surveys Surveys
}

// Adapter is the live-chat channel.
type Adapter struct {
	o       Opts
	store   *store
	sign    signer
	hub     *realtime.Hub
	fan     *realtime.Fanout
	log     *slog.Logger
	origins []string

	dirty    chan struct{} // a ticket event asks for fresh queue positions
	appender *appender

	runMu   sync.Mutex
	stopped bool
}

var _ channels.Adapter = (*Adapter)(nil)

// New builds the gateway. Run starts its background work; Shutdown stops
// accepting connections.
func New(o Opts) (*Adapter, error) {
	if len(o.Secret) < 32 {
		return nil, errors.New("livechat: secret must have at least 32 bytes")
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 5 << 20
	}
	if len(o.FileTypes) == 0 {
		o.FileTypes = attachment.Documents
	}
	if o.QueueEvery <= 0 {
		o.QueueEvery = 15 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	a := &Adapter{o: o, store: &store{db: o.DB}, sign: signer{secret: o.Secret}, log: o.Log.With("channel", "livechat"),
		dirty: make(chan struct{}, 1)}
	origins := append([]string{}, o.AllowedOrigins...)
	if pub, ok := realtime.NormalizeOrigin(o.PublicURL); ok {
		origins = append(origins, pub)
	}
	a.origins = origins
	ro := o.Realtime
	ro.AllowedOrigins = origins
	if ro.Log == nil {
		ro.Log = a.log
	}
	if ro.ClientIP == nil {
		ro.ClientIP = clientIP
	}
	a.appender = newAppender(o.DB, a.log)
	a.hub = realtime.New(ro, a)
	a.fan = realtime.NewFanout(o.Bus.NC, o.Bus.Names.Realtime, a.log)
	return a, nil
}

// Channel is livechat.
func (a *Adapter) Channel() envelope.Channel { return domain.ChannelLiveChat }

// clientIP is the address the hub counts a connection against: the
// request's RemoteAddr, which the fiber upgrade fills with the address
// fiber worked out (trusted proxies included).
func clientIP(r *http.Request) string {
	if i := strings.LastIndexByte(r.RemoteAddr, ':'); i > 0 {
		return strings.Trim(r.RemoteAddr[:i], "[]")
	}
	return r.RemoteAddr
}

// Mount adds the websocket, the widget's configuration, uploads and
// downloads. The websocket is upgraded with fasthttp's own hijack (see
// realtime.Hub.ServeFiber): only the upgrade request passes fiber, then
// gorilla owns the connection.
func (a *Adapter) Mount(r fiber.Router) {
	r.Get("/livechat/ws", a.hub.ServeFiber)
	r.Get("/livechat/config.json", a.cors, a.handleConfig)
	r.Options("/livechat/upload", a.cors)
	r.Post("/livechat/upload", a.cors, a.handleUpload)
	r.Get("/livechat/file", a.handleFile)
}

// Hub is the websocket hub (for tests and benchmarks).
func (a *Adapter) Hub() *realtime.Hub { return a.hub }

// Shutdown refuses new connections and closes the open ones with "try
// again later" so widgets reconnect (to another instance, or to this one
// after its restart).
func (a *Adapter) Shutdown(ctx context.Context) error {
	err := a.hub.Shutdown(ctx)
	a.runMu.Lock()
	if !a.stopped {
		a.stopped = true
		a.fan.Close()
		a.appender.close()
	}
	a.runMu.Unlock()
	return err
}

// Deliver appends an agent reply to the visitor's log and pushes it to
// the visitor's open widgets. Delivery is idempotent by the reply's id: a
// redelivered reply finds its entry and is pushed again (widgets drop a
// sequence number they already have). "sent" means stored for the
// visitor; the widget reports delivered and read itself.
func (a *Adapter) Deliver(ctx context.Context, out envelope.Outbound) (envelope.Receipt, error) {
	// The reply goes to the browser that wrote in the conversation; the
	// contact's first visitor id is only the fallback (a citizen known by
	// phone may chat from several browsers).
	visitorID := out.To.VisitorID
	if id, ok, err := a.store.writerOf(ctx, out.TrackingNumber); err != nil {
		return envelope.Receipt{}, err
	} else if ok {
		visitorID = id
	}
	if visitorID == "" {
		return envelope.Receipt{}, channels.Permanent(errors.New("livechat: the citizen has no live-chat visitor id"))
	}
	files := make([]File, 0, len(out.Attachments))
	for _, f := range out.Attachments {
		files = append(files, File{Key: f.Key, Name: f.Filename, MIME: f.MIME, Size: f.Size})
	}
	e := newEntry{kind: KindReply, dedupe: "o:" + out.ID, tn: out.TrackingNumber, messageID: out.MessageID,
		body: entryBody{Text: out.Text, Agent: out.AgentName, Files: files}}
	row, _, ok, err := a.appendEntry(ctx, visitorID, e, change{}, time.Now().UTC())
	if err != nil {
		return envelope.Receipt{}, err
	}
	if !ok {
		return envelope.Receipt{}, channels.Permanent(fmt.Errorf("livechat: visitor of ticket %s is gone", out.TrackingNumber))
	}
	a.publish(visitorID, row)
	return envelope.Receipt{Status: domain.DeliverySent, ExternalID: fmt.Sprintf("%s#%d", visitorID, row.Seq)}, nil
}

// appendEntry stores an entry in the visitor's log (see appendIn) through
// the batching appender.
func (a *Adapter) appendEntry(ctx context.Context, visitorID string, e newEntry, ch change, now time.Time) (logRow, bool, bool, error) {
	return a.appender.add(ctx, visitorID, e, ch, now)
}

// topic is a visitor's fan-out topic.
func topic(visitorID string) string { return "livechat.v." + visitorID }

// publish fans an entry out to the visitor's widgets on every instance.
// A lost publish costs nothing but speed: widgets see the gap at the next
// entry or resume and fetch it.
func (a *Adapter) publish(visitorID string, row logRow) {
	if err := a.fan.Publish(topic(visitorID), a.entryFrame(visitorID, row)); err != nil {
		a.log.Warn("livechat fan-out", "err", err)
	}
}
