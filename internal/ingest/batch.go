package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/mask"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

// maxSubjectRunes bounds a ticket subject taken from the first line.
const maxSubjectRunes = 120

// item is one valid envelope of a batch and what became of it.
type item struct {
	msg    jetstream.Msg // nil in store-only tests
	in     envelope.Inbound
	fields string // Fields as JSON text

	dup       bool         // already stored (before or earlier in this batch)
	contactID int64        // resolved contact
	province  string       // the contact's province, when known
	ticket    *ticketState // where the message goes
	messageID int64        // set when this transaction inserted it
}

func (it *item) key() msgKey { return msgKey{string(it.in.Channel), it.in.ProviderMessageID} }

// citizenKey keeps one citizen's messages on one worker, in order. The
// phone number comes first because it is the identity a citizen repeats
// most across messages and channels (a WhatsApp id is a phone number); a
// citizen known by different identities in two messages may land on two
// workers, which is then as safe as two core instances.
func (it *item) citizenKey() string {
	s := it.in.Sender
	for _, k := range []string{s.Phone, s.WaID, s.Email, s.VisitorID, s.NIK} {
		if k != "" {
			return k
		}
	}
	return ""
}

// ticketState is a ticket the batch writes to: an existing one or one to
// create.
type ticketState struct {
	id      int64
	isNew   bool
	status  domain.TicketStatus
	row     ticketRow // existing tickets
	got     bool      // a message of this batch was stored on it
	reopen  bool      // pending/solved ticket that gets a citizen message
	queueID int64

	// New tickets only.
	trackingNumber string
	contactID      int64
	channel        string
	category       string
	subject        string
	province       string
	askedQueue     string // the queue the channel asked for (FieldQueue), if any
	reporterPhone  string // addresses given with the opening message
	reporterEmail  string
	createdAt      time.Time
	lastMessageAt  time.Time
	waitTrace      string // traceparent of its opening (or reopening) message (trace.go)
	// filing: queue, priority and SLA due times, decided before the ticket
	// is stored so its row is written once.
	filing routing.Filing
}

// result is what a committed batch tells the rest of the system.
type result struct {
	created     []*ticketState
	messages    []*item
	assignments []routing.Assignment
	reopened    []int64
	// trace is the batch span's context (invalid when tracing is off),
	// single whether the batch was one message (its span continues that
	// message's trace); emit hands the trace on to the console push.
	trace  trace.SpanContext
	single bool
}

// persist stores a batch in tx: messages in stream order, each on its
// ticket, new tickets routed. Items already stored are marked dup.
func (c *Consumer) persist(ctx context.Context, tx *gorm.DB, items []*item) (result, error) {
	var res result
	tx = tx.WithContext(ctx)
	now := time.Now().UTC()
	if err := tune(tx); err != nil {
		return res, err
	}

	// 1. Duplicates: earlier in this batch, or already in the database.
	seen := make(map[msgKey]bool, len(items))
	keys := make([]msgKey, 0, len(items))
	for _, it := range items {
		it.dup, it.ticket, it.messageID = false, nil, 0
		if seen[it.key()] {
			it.dup = true
			continue
		}
		seen[it.key()] = true
		keys = append(keys, it.key())
	}
	stored, err := existingMessages(tx, keys)
	if err != nil {
		return res, err
	}
	live := make([]*item, 0, len(items))
	for _, it := range items {
		if !it.dup && stored[it.key()] {
			it.dup = true
		}
		if !it.dup {
			live = append(live, it)
		}
	}
	if len(live) == 0 {
		return res, nil
	}

	// 2. Contacts, one set-based pass.
	senders := make([]envelope.Sender, len(live))
	for i, it := range live {
		senders[i] = it.in.Sender
	}
	resolved, err := c.contacts.Resolve(ctx, tx, senders, now)
	if err != nil {
		return res, err
	}
	for i, it := range live {
		it.contactID, it.province = resolved[i].ContactID, resolved[i].ProvinceCode
	}

	// 3. Threading.
	tickets, err := c.thread(ctx, tx, live)
	if err != nil {
		return res, err
	}
	var fresh []*ticketState
	for _, t := range tickets {
		if t.isNew {
			fresh = append(fresh, t)
		}
	}
	if len(fresh) > 0 {
		nts := make([]routing.NewTicket, len(fresh))
		for i, t := range fresh {
			nts[i] = routing.NewTicket{Ticket: routing.Ticket{Category: t.category, Channel: t.channel, QueueID: t.queueID,
				Queue: t.askedQueue, Province: t.province}, Subject: t.subject, ContactID: t.contactID, CreatedAt: t.createdAt}
		}
		filings, err := c.router.File(ctx, tx, nts, now)
		if err != nil {
			return res, err
		}
		for i, t := range fresh {
			t.filing, t.queueID = filings[i], filings[i].QueueID
		}
	}
	c.waitTraces(ctx, live, len(items) == 1)
	if err := insertTickets(tx, fresh, now); err != nil {
		return res, err
	}

	// 4. Messages. A message another instance stored meanwhile is not
	// returned; its ticket, if created for it alone, goes again.
	if c.beforeMessages != nil {
		if err := c.beforeMessages(tx); err != nil {
			return res, err
		}
	}
	if err := insertMessages(tx, live, now); err != nil {
		return res, err
	}
	var kept []*item
	last := map[int64]time.Time{}
	for _, it := range live {
		if it.messageID == 0 {
			it.dup = true
			continue
		}
		kept = append(kept, it)
		it.ticket.got = true
		if !it.ticket.isNew {
			if at := it.in.ReceivedAt.UTC(); at.After(last[it.ticket.id]) {
				last[it.ticket.id] = at
			}
		}
	}
	var unused, reopenSolvedIDs, reopenPendingIDs []int64
	var reopenTraces map[int64]string // with tracing on (waitTraces)
	for _, t := range tickets {
		switch {
		case t.isNew && !t.got:
			unused = append(unused, t.id)
		case t.isNew:
			res.created = append(res.created, t)
		case t.got && t.reopen && t.row.Status == domain.StatusSolved:
			reopenSolvedIDs = append(reopenSolvedIDs, t.id)
			if t.waitTrace != "" {
				if reopenTraces == nil {
					reopenTraces = map[int64]string{}
				}
				reopenTraces[t.id] = t.waitTrace
			}
		case t.got && t.reopen:
			reopenPendingIDs = append(reopenPendingIDs, t.id)
		}
	}
	if len(unused) > 0 {
		if err := deleteTickets(tx, unused); err != nil {
			return res, err
		}
	}
	res.messages = kept
	if err := insertAttachments(tx, kept, now); err != nil {
		return res, err
	}

	// 5. Existing tickets: reopen, move last_message_at. They are locked
	// first, in id order, and before any agent (the lock order of
	// routing/lockorder.go), so another instance storing messages of the
	// same citizens waits instead of deadlocking. Without a reopen the
	// move of last_message_at is the first write to those tickets' rows
	// and locks them in id order itself (touchLastMessagePG): no lock
	// statement before it. (The messages inserted before it only take the
	// foreign-key check's KEY SHARE on their tickets, which the move's
	// NO KEY UPDATE does not wait for.)
	if len(reopenSolvedIDs)+len(reopenPendingIDs) > 0 {
		lock := make([]int64, 0, len(last)+len(reopenSolvedIDs)+len(reopenPendingIDs))
		lock = append(append(lock, reopenSolvedIDs...), reopenPendingIDs...)
		for id := range last {
			lock = append(lock, id)
		}
		if err := ticket.LockInOrder(tx, c.db.Dialect, lock); err != nil {
			return res, err
		}
	}
	if len(reopenPendingIDs) > 0 {
		if err := reopenPending(tx, reopenPendingIDs, now); err != nil {
			return res, err
		}
		res.reopened = append(res.reopened, reopenPendingIDs...)
	}
	var back []routing.Reactivated
	if len(reopenSolvedIDs) > 0 {
		rows, err := reopenSolved(tx, reopenSolvedIDs, now, reopenTraces)
		if err != nil {
			return res, err
		}
		for _, r := range rows {
			res.reopened = append(res.reopened, r.ID)
			re := routing.Reactivated{Ticket: routing.Ticket{ID: r.ID, Category: r.Category, Channel: r.Channel}}
			if r.QueueID != nil {
				re.QueueID = *r.QueueID
			}
			if r.AssigneeID != nil {
				re.AssigneeID = *r.AssigneeID
			}
			back = append(back, re)
		}
	}
	if len(last) > 0 {
		touched, err := touchTickets(tx, last, now)
		if err != nil {
			return res, err
		}
		// A citizen wrote on an answered ticket: its next-response clock starts.
		if err := c.clocks.CitizenWrote(ctx, tx, touched, last); err != nil {
			return res, err
		}
	}

	// 6. Routing, in the same transaction. Every agent it may change is
	// locked first in one statement, in id order: the members of the new
	// tickets' queues and of the reopened tickets' queues, and the
	// reopened tickets' agents.
	if len(res.created) > 0 || len(back) > 0 {
		var queueIDs, agentIDs []int64
		for _, t := range res.created {
			queueIDs = append(queueIDs, t.queueID)
		}
		for _, b := range back {
			queueIDs = append(queueIDs, b.QueueID)
			agentIDs = append(agentIDs, b.AssigneeID)
		}
		if err := c.router.LockAgents(ctx, tx, queueIDs, agentIDs); err != nil {
			return res, err
		}
	}
	if len(res.created) > 0 {
		rt := make([]routing.Ticket, len(res.created))
		for i, t := range res.created {
			rt[i] = routing.Ticket{ID: t.id, Category: t.category, Channel: t.channel, QueueID: t.queueID, Province: t.province,
				Filed: &t.filing}
		}
		as, err := c.router.RouteLocked(ctx, tx, rt)
		if err != nil {
			return res, err
		}
		res.assignments = append(res.assignments, as...)
	}
	if len(back) > 0 {
		as, err := c.router.Reactivate(ctx, tx, back)
		if err != nil {
			return res, err
		}
		res.assignments = append(res.assignments, as...)
	}
	return res, nil
}

// ownTicket reports whether the message belongs to a ticket of its own
// under the number its adapter minted (a web-form complaint, a live-chat
// message), never threaded by contact.
func (it *item) ownTicket() bool {
	return domain.Kind(it.in.Fields[envelope.FieldKind]).OwnTicket()
}

// thread decides each live item's ticket, in stream order, as if the
// messages were handled one after the other:
//
//   - ThreadRef names a ticket: that ticket; a pending or solved one is
//     reopened; a closed one is not written to again, a new ticket opens.
//   - A message of a kind with its own ticket (domain.Kind.OwnTicket: a
//     web-form complaint, a live-chat message) carries the tracking number
//     its adapter already gave the citizen as its ThreadRef: its new ticket
//     takes that number (unless another citizen's ticket has it, then a
//     fresh one). Any other unknown ThreadRef falls through to the rules
//     below.
//   - A message of such a kind opens a ticket.
//   - Otherwise the contact's newest new/open/pending ticket on the same
//     channel; else their newest ticket on that channel solved within the
//     reopen window, which reopens; else a new ticket.
func (c *Consumer) thread(ctx context.Context, tx *gorm.DB, live []*item) ([]*ticketState, error) {
	var (
		refs       []string
		contactIDs []int64
	)
	seenRef := map[string]bool{}
	seenContact := map[int64]bool{}
	for _, it := range live {
		if ref, _ := it.threadRef(); ref != "" {
			if !seenRef[ref] {
				seenRef[ref] = true
				refs = append(refs, ref)
			}
		}
		if !it.ownTicket() && !seenContact[it.contactID] {
			seenContact[it.contactID] = true
			contactIDs = append(contactIDs, it.contactID)
		}
	}
	var (
		byRef  = map[string]*ticketState{}
		byID   = map[int64]*ticketState{}
		active = map[activeKey]*ticketState{}
		// inQueue is the contact's newest open ticket on a channel in one
		// queue, for messages that must stay in the queue they ask for.
		inQueue = map[queuedKey]*ticketState{}
		out     []*ticketState
	)
	existing := func(r ticketRow) *ticketState {
		if t, ok := byID[r.ID]; ok {
			return t
		}
		t := &ticketState{id: r.ID, status: r.Status, row: r}
		byID[r.ID] = t
		out = append(out, t)
		return t
	}
	if len(refs) > 0 {
		rows, err := ticketsByTracking(tx, refs)
		if err != nil {
			return nil, err
		}
		for ref, r := range rows {
			byRef[ref] = existing(r)
		}
	}
	if len(contactIDs) > 0 {
		var solvedSince time.Time
		if c.reopenWindow > 0 {
			solvedSince = time.Now().Add(-c.reopenWindow)
		}
		rows, err := activeTickets(tx, contactIDs, solvedSince)
		if err != nil {
			return nil, err
		}
		for _, r := range rows { // oldest first: the newest wins
			t := existing(r)
			active[activeKey{r.ContactID, r.Channel}] = t
			if r.QueueID != nil {
				inQueue[queuedKey{activeKey{r.ContactID, r.Channel}, *r.QueueID}] = t
			}
		}
	}

	for _, it := range live {
		ak := activeKey{it.contactID, string(it.in.Channel)}
		ref, wellFormed := it.threadRef()
		var t *ticketState
		named := false        // ThreadRef names a stored (or just created) ticket
		own := it.ownTicket() // its adapter minted the ticket's number
		minted := ""          // tracking number the adapter already promised the citizen
		if ref != "" {
			known := byRef[ref]
			switch {
			case known != nil && own && known.owner() != it.contactID:
				// Two adapters minted the same random number (about one in
				// 10^15 per pair): never thread a citizen into a stranger's
				// ticket. The message opens its own ticket under a fresh number.
				c.log.Error("minted tracking number already taken by another citizen; opening under a new number",
					"channel", it.in.Channel, "provider_message_id", it.in.ProviderMessageID)
			case known != nil:
				named = true
				if known.status != domain.StatusClosed { // a closed ticket stays closed
					t = known
				}
			case own && wellFormed:
				minted = ref
			default:
				c.log.Warn("thread_ref names no ticket; threading by contact",
					"channel", it.in.Channel, "provider_message_id", it.in.ProviderMessageID)
			}
		}
		if t == nil && !named && !own {
			t = active[ak]
			if want := it.in.Fields[envelope.FieldQueue]; want != "" && it.in.Fields[envelope.FieldQueueStrict] == "true" {
				qid, err := c.queues.QueueFor(ctx, tx, want, it.in.Fields[envelope.FieldCategory])
				if err != nil {
					return nil, err
				}
				// The open ticket in that queue, else a new one there: the
				// request must be seen in its queue, in the order it was made.
				t = inQueue[queuedKey{ak, qid}]
			}
		}
		if t == nil {
			qid, err := c.queues.QueueFor(ctx, tx, it.in.Fields[envelope.FieldQueue], it.in.Fields[envelope.FieldCategory])
			if err != nil {
				return nil, err
			}
			tn := minted
			if tn == "" {
				tn = tracking.Generate()
			}
			t = &ticketState{
				isNew:          true,
				status:         domain.StatusNew,
				queueID:        qid,
				trackingNumber: tn,
				contactID:      it.contactID,
				channel:        string(it.in.Channel),
				category:       it.in.Fields[envelope.FieldCategory],
				subject:        subjectOf(it.in.Text, it.in.Attachments),
				province:       it.province,
				askedQueue:     it.in.Fields[envelope.FieldQueue],
				reporterPhone:  reporterPhone(it.in.Sender),
				reporterEmail:  it.in.Sender.Email,
				createdAt:      it.in.ReceivedAt.UTC(),
			}
			if t.province == "" {
				t.province = it.in.Fields[envelope.FieldProvince]
			}
			out = append(out, t)
			active[ak] = t
			inQueue[queuedKey{ak, qid}] = t
			if named {
				// Later messages naming the closed ticket join this one.
				byRef[ref] = t
				c.log.Warn("message names a closed ticket; it opens a new one",
					"closed", ref, "new", t.trackingNumber, "channel", it.in.Channel)
			}
			if minted != "" {
				// Follow-ups in the same batch find the ticket by its number.
				byRef[minted] = t
			}
		}
		if t.status == domain.StatusPending || t.status == domain.StatusSolved {
			t.reopen, t.status = true, domain.StatusOpen
		}
		if at := it.in.ReceivedAt.UTC(); t.isNew && at.After(t.lastMessageAt) {
			t.lastMessageAt = at
		}
		it.ticket = t
	}
	return out, nil
}

// reporterPhone is the phone a citizen may later quote to look the ticket up.
func reporterPhone(s envelope.Sender) string {
	if s.Phone != "" {
		return s.Phone
	}
	return s.WaID
}

// owner is the contact a ticket belongs to.
func (t *ticketState) owner() int64 {
	if t.isNew {
		return t.contactID
	}
	return t.row.ContactID
}

// activeKey finds a contact's current ticket on a channel.
type activeKey struct {
	contactID int64
	channel   string
}

// queuedKey finds a contact's current ticket on a channel in a queue.
type queuedKey struct {
	activeKey
	queueID int64
}

// threadRef is the canonical tracking number the message names, or "".
// A malformed one is kept as given (wellFormed false): it then names no
// ticket and cannot be a new ticket's number.
func (it *item) threadRef() (ref string, wellFormed bool) {
	if it.in.ThreadRef == "" {
		return "", false
	}
	if n, err := tracking.Normalize(it.in.ThreadRef); err == nil {
		return n, true
	}
	return it.in.ThreadRef, false
}

// subjectOf is the first non-empty line of a message, at most
// maxSubjectRunes runes; a message without text (a photo sent alone) is
// named by its first file, so a ticket never goes without a subject (the
// console would fall back to the tracking number and show it twice).
func subjectOf(text string, files []envelope.Attachment) string {
	if s := firstLine(text); s != "" {
		return s
	}
	for _, f := range files {
		if s := firstLine(f.Filename); s != "" {
			return s
		}
	}
	return ""
}

func firstLine(text string) string {
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) > maxSubjectRunes {
			r := []rune(line)
			line = strings.TrimSpace(string(r[:maxSubjectRunes]))
		}
		return line
	}
	return ""
}

// newItem prepares a decoded envelope for storage. PostgreSQL refuses
// NUL in text, so NULs are dropped everywhere (a message that can never be
// stored would otherwise be redelivered forever); fields become JSON text.
func newItem(m jetstream.Msg, in envelope.Inbound) (*item, error) {
	in.Text = stripNUL(in.Text)
	s := &in.Sender
	for _, p := range []*string{&s.Name, &s.Phone, &s.Email, &s.NIK, &s.WaID, &s.VisitorID, &in.ProviderMessageID, &in.ThreadRef} {
		*p = stripNUL(*p)
	}
	if len(in.Fields) > 0 {
		f := make(map[string]string, len(in.Fields))
		for k, v := range in.Fields {
			f[stripNUL(k)] = stripNUL(v)
		}
		in.Fields = f
	}
	in.Attachments = slices.Clone(in.Attachments)
	for i := range in.Attachments {
		a := &in.Attachments[i]
		a.Key, a.Filename, a.MIME = stripNUL(a.Key), stripNUL(a.Filename), stripNUL(a.MIME)
	}
	fields := "{}"
	if len(in.Fields) > 0 {
		b, err := json.Marshal(in.Fields)
		if err != nil {
			return nil, fmt.Errorf("ingest: encode fields: %w", err)
		}
		fields = string(b)
	}
	return &item{msg: m, in: in, fields: fields}, nil
}

func stripNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// logAttrs describes an envelope for logs without personal data.
func logAttrs(in envelope.Inbound) []any {
	return []any{
		"channel", in.Channel,
		"provider_message_id", in.ProviderMessageID,
		mask.NameAttr("sender_name", in.Sender.Name),
		mask.PhoneAttr("sender_phone", in.Sender.Phone),
		mask.PhoneAttr("sender_wa_id", in.Sender.WaID),
		mask.EmailAttr("sender_email", in.Sender.Email),
		mask.NIKAttr("sender_nik", in.Sender.NIK),
		mask.TextAttr("text", in.Text),
	}
}
