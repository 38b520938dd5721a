// Package contact keeps citizens and the identities they reach the contact
// center with (phone, e-mail, NIK, live-chat visitor id), so one citizen is
// one contact whatever channel they use.
//
// The ingest consumer resolves a whole batch of senders at once with
// Resolve / ResolveBatch: one SELECT for every identity of the batch, one
// multi-row INSERT for the new contacts and one for the new identities.
// Resolution rules:
//
//   - A WhatsApp wa_id is stored as kind "phone" (both are E.164), so a
//     citizen who phones and then writes on WhatsApp is one contact.
//   - When a sender's identities already belong to different contacts, the
//     contact of the strongest identity wins: nik > phone > email > visitor.
//     Two existing contacts are never merged automatically; the sender's
//     identities that belong to nobody yet are attached to the winner.
//   - Senders of one batch that share an identity get the same contact, as
//     if they had been resolved one after the other.
//   - A contact's name is set when it is empty; its province is set from a
//     valid NIK when empty.
//
// Several core instances may resolve the same new citizen at the same
// moment. The identity INSERT uses ON CONFLICT (kind, value) DO NOTHING; an
// identity that another transaction committed first is re-read and its
// owner used instead, and the contact created here in vain is removed in
// the same transaction (see store.go, insertIdentities and adoptWinners).
package contact

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/envelope"
	"tanggap/internal/identity"
)

// Identity kinds, strongest first (see precedence).
const (
	KindNIK     = "nik"
	KindPhone   = "phone"
	KindEmail   = "email"
	KindVisitor = "visitor"
)

// A complaint sent through the form without contact details is given a
// visitor identity of its own, so that its follow-ups thread to it; these
// prefixes say which kind of sender it stands for (complaint.Register).
const (
	VisitorAnonymousForm    = "anon-"    // anonymous: no identity kept at all
	VisitorConfidentialForm = "rahasia-" // confidential: identity kept apart
)

// Origins of a visitor identity (PanelIdentity.Origin).
const (
	OriginAnonymousForm    = "anonymous_form"
	OriginConfidentialForm = "confidential_form"
)

// originOf is where a visitor identity comes from when it is not a
// live-chat visitor: "" for a chat visitor and for every other kind.
func originOf(kind, value string) string {
	switch {
	case kind != KindVisitor:
		return ""
	case strings.HasPrefix(value, VisitorAnonymousForm):
		return OriginAnonymousForm
	case strings.HasPrefix(value, VisitorConfidentialForm):
		return OriginConfidentialForm
	}
	return ""
}

// precedence ranks kinds: a lower number wins when a sender's identities
// point to different contacts.
var precedence = map[string]int{KindNIK: 0, KindPhone: 1, KindEmail: 2, KindVisitor: 3}

// Contact is one citizen.
type Contact struct {
	ID           int64
	Name         string
	ProvinceCode string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Identity is one way a contact reaches us.
type Identity struct {
	Kind      string
	Value     string
	CreatedAt time.Time
}

// Resolved is the outcome for one sender.
type Resolved struct {
	ContactID int64
	// ProvinceCode of the contact as far as this batch knows it (from a
	// NIK, now or earlier); empty when unknown.
	ProvinceCode string
	// Created is true when this batch created the contact.
	Created bool
}

// Opts configures a Service.
type Opts struct {
	DB  *db.DB
	Log *slog.Logger
}

// Service resolves and reads contacts.
type Service struct {
	db  *db.DB
	log *slog.Logger
	// beforeIdentityInsert, set by tests only, runs inside the transaction
	// just before the identity INSERT to simulate a concurrent instance
	// that committed the same identity first.
	beforeIdentityInsert func(tx *gorm.DB) error
}

// New returns a Service.
func New(o Opts) *Service {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, log: o.Log}
}

// Get returns one contact, or an error wrapping ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Contact, error) {
	return getContact(s.db.WithContext(ctx), id)
}

// Identities lists a contact's identities for display, strongest kind
// first. Values are personal data: never log them unmasked.
func (s *Service) Identities(ctx context.Context, contactID int64) ([]Identity, error) {
	return listIdentities(s.db.WithContext(ctx), contactID)
}

// ResolveBatch returns a contact id per sender (same order), creating
// contacts and identities as needed inside tx.
func (s *Service) ResolveBatch(ctx context.Context, tx *gorm.DB, senders []envelope.Sender, now time.Time) ([]int64, error) {
	res, err := s.Resolve(ctx, tx, senders, now)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.ContactID
	}
	return ids, nil
}

// Resolve is ResolveBatch with what the batch learnt about each contact.
func (s *Service) Resolve(ctx context.Context, tx *gorm.DB, senders []envelope.Sender, now time.Time) ([]Resolved, error) {
	if len(senders) == 0 {
		return nil, nil
	}
	tx = tx.WithContext(ctx)
	sets := make([][]ident, len(senders))
	var all []ident
	for i, snd := range senders {
		sets[i] = identsOf(snd)
		if len(sets[i]) == 0 {
			return nil, fmt.Errorf("contact: sender %d: %w", i, ErrNoIdentity)
		}
		all = append(all, sets[i]...)
	}
	known, err := lookupIdentities(tx, all, true)
	if err != nil {
		return nil, err
	}
	if err := followMerged(tx, known); err != nil {
		return nil, err
	}
	p := plan(senders, sets, known)

	if err := insertContacts(tx, p.created, now); err != nil {
		return nil, err
	}
	if s.beforeIdentityInsert != nil {
		if err := s.beforeIdentityInsert(tx); err != nil {
			return nil, err
		}
	}
	lost, err := insertIdentities(tx, p, now)
	if err != nil {
		return nil, err
	}
	if len(lost) > 0 {
		if err := adoptWinners(tx, p, lost); err != nil {
			return nil, err
		}
	}
	if err := fillDetails(tx, p, now); err != nil {
		return nil, err
	}

	out := make([]Resolved, len(senders))
	for i, ref := range p.senderRef {
		c := p.contact(ref)
		out[i] = Resolved{ContactID: c.id, ProvinceCode: c.province, Created: ref < 0 && c.adoptedBy == 0}
		if c.adoptedBy != 0 {
			out[i].ContactID = c.adoptedBy
		}
	}
	return out, nil
}

// ident is one (kind, value) pair.
type ident struct{ kind, value string }

// identsOf lists a sender's identities strongest first. Phone and wa_id
// both become kind phone (equal values collapse).
func identsOf(s envelope.Sender) []ident {
	out := make([]ident, 0, 4)
	add := func(kind, v string) {
		if v == "" {
			return
		}
		for _, have := range out {
			if have.kind == kind && have.value == v {
				return
			}
		}
		out = append(out, ident{kind, v})
	}
	add(KindNIK, s.NIK)
	add(KindPhone, s.Phone)
	add(KindPhone, s.WaID)
	add(KindEmail, s.Email)
	add(KindVisitor, s.VisitorID)
	return out
}

// owner is what the lookup found for one identity.
type owner struct {
	contactID int64
	name      string
	province  string
	// mergedInto: the contact is a tombstone, merged into this one (read by
	// the locking lookup on PostgreSQL only, see followMerged).
	mergedInto *int64
}

// contactState is one contact the batch touches: an existing one (id known
// from the start) or a new one (id filled by the INSERT).
type contactState struct {
	id       int64
	name     string
	province string
	// existing contacts only: the name/province this batch wants to set
	// because the stored value is empty.
	setName, setProvince string
	// new contacts only: identities attached to it, in the order attached.
	idents []ident
	// adoptedBy is the contact a new contact gave way to when its
	// strongest identity was committed concurrently by someone else.
	adoptedBy int64
}

// attachment is an identity to insert for a contact ref.
type attachment struct {
	ident
	ref int
}

// batchPlan is the in-memory resolution of a batch before any write.
// A ref >= 0 indexes existing; a ref < 0 is new contact -(ref+1).
type batchPlan struct {
	existing    []*contactState
	created     []*contactState
	senderRef   []int
	attachments []attachment
}

func (p *batchPlan) contact(ref int) *contactState {
	if ref < 0 {
		return p.created[-ref-1]
	}
	return p.existing[ref]
}

// plan resolves senders in order against the identities found in the
// database and those already claimed earlier in the batch.
func plan(senders []envelope.Sender, sets [][]ident, known map[ident]owner) *batchPlan {
	p := &batchPlan{senderRef: make([]int, len(senders))}
	claimed := make(map[ident]int, len(known))
	byID := make(map[int64]int)
	for id, o := range known {
		ref, ok := byID[o.contactID]
		if !ok {
			ref = len(p.existing)
			byID[o.contactID] = ref
			p.existing = append(p.existing, &contactState{id: o.contactID, name: o.name, province: o.province})
		}
		claimed[id] = ref
	}
	for i, snd := range senders {
		ref, found := 0, false
		for _, id := range sets[i] { // strongest first
			if r, ok := claimed[id]; ok {
				ref, found = r, true
				break
			}
		}
		if !found {
			ref = -len(p.created) - 1
			p.created = append(p.created, &contactState{})
		}
		c := p.contact(ref)
		for _, id := range sets[i] {
			if _, ok := claimed[id]; !ok {
				claimed[id] = ref
				p.attachments = append(p.attachments, attachment{id, ref})
				if ref < 0 {
					c.idents = append(c.idents, id)
				}
			}
		}
		if snd.Name != "" && c.name == "" && c.setName == "" {
			if ref < 0 {
				c.name = snd.Name
			} else {
				c.setName = snd.Name
			}
		}
		if snd.NIK != "" && c.province == "" && c.setProvince == "" {
			if n, err := identity.ParseNIK(snd.NIK); err == nil {
				if ref < 0 {
					c.province = n.ProvinceCode
				} else {
					c.setProvince = n.ProvinceCode
				}
			}
		}
		p.senderRef[i] = ref
	}
	for _, c := range p.existing {
		if c.setProvince != "" {
			c.province = c.setProvince
		}
	}
	return p
}
