// Package refused keeps the items channels received and could not read (a
// WhatsApp message whose sender is no number, a status without an id) so
// that admins see them: the provider sent a citizen's message and nobody
// could read it, which must not stay in a log line.
//
// Guarantees, and what keeps them:
//   - One row per record: the adapter publishes each refused item on the
//     inbound stream under one id (its Nats-Msg-Id, also in the record);
//     ingest stores it here with INSERT … ON CONFLICT (record_id) DO
//     NOTHING before it acks, so a redelivery or a second instance adds
//     no second row.
//   - Bounded and purged: the item as sent is at most
//     envelope.MaxRefusedRaw bytes; rows go with the message bodies'
//     retention period (internal/retention), and a data-subject erasure
//     deletes the rows of the citizen's numbers (internal/dsr).
//   - The list is served by refused_items_created_idx, newest first, by
//     pages (TestListUsesTheIndex); it masks the sender. Opening an item
//     whole is the API's to record in the view audit.
package refused

import (
	"context"
	"encoding/json"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/envelope"
	"tanggap/internal/mask"
)

// Opts wires the service.
type Opts struct {
	DB *db.DB
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Service keeps and lists refused items.
type Service struct {
	o Opts
}

// New returns a service.
func New(o Opts) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{o: o}
}

// Item is one refused item as the admin list shows it: the sender masked,
// no raw item.
type Item struct {
	ID                int64     `json:"id"`
	Channel           string    `json:"channel"`
	Item              string    `json:"item"`
	ProviderMessageID string    `json:"provider_message_id"`
	SenderMasked      string    `json:"sender_masked"`
	Cause             string    `json:"cause"`
	Reason            string    `json:"reason"`
	ReceivedAt        time.Time `json:"received_at"`
	CreatedAt         time.Time `json:"created_at"`
}

// Detail is one refused item whole: the sender and the item as sent.
type Detail struct {
	Item
	Sender string          `json:"sender"`
	Raw    json.RawMessage `json:"raw"`
}

// Filter pages the list: rows strictly older than (BeforeAt, BeforeID).
type Filter struct {
	BeforeAt time.Time
	BeforeID int64
	Limit    int
}

// Page is one page, newest first; Next is set when more follow.
type Page struct {
	Items []Item `json:"items"`
	Next  *Next  `json:"next"`
}

// Next is the cursor of the following page.
type Next struct {
	BeforeAt time.Time `json:"before_at"`
	BeforeID int64     `json:"before_id"`
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Record keeps r once (by its id), in its own transaction; it reports
// whether the row is new.
func (s *Service) Record(ctx context.Context, r envelope.Refused) (bool, error) {
	return insert(s.o.DB.WithContext(ctx), r, s.o.Now().UTC())
}

// List returns one page, newest first.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	f.Limit = min(f.Limit, MaxLimit)
	rows, err := list(s.o.DB.WithContext(ctx), f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: make([]Item, 0, len(rows))}
	for _, r := range rows {
		p.Items = append(p.Items, r.item())
	}
	if len(rows) == f.Limit {
		last := rows[len(rows)-1]
		p.Next = &Next{BeforeAt: last.CreatedAt.UTC(), BeforeID: last.ID}
	}
	return p, nil
}

// Get returns one item whole.
func (s *Service) Get(ctx context.Context, id int64) (Detail, error) {
	r, err := get(s.o.DB.WithContext(ctx), id)
	if err != nil {
		return Detail{}, err
	}
	raw := json.RawMessage(r.Raw)
	if !json.Valid(raw) {
		raw, _ = json.Marshal(r.Raw)
	}
	return Detail{Item: r.item(), Sender: r.Sender, Raw: raw}, nil
}

func (r row) item() Item {
	return Item{ID: r.ID, Channel: r.Channel, Item: r.Item, ProviderMessageID: r.ProviderMessageID, SenderMasked: mask.Phone(r.Sender),
		Cause: r.Cause, Reason: r.Reason, ReceivedAt: r.ReceivedAt.UTC(), CreatedAt: r.CreatedAt.UTC()}
}
