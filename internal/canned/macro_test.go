package canned_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/canned"
	"tanggap/internal/complaint"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// tagStore stands in for the tags service (another package provides the
// real one, tested with it in internal/app): it keeps what it was asked,
// or refuses. With a list (known), names not on it are refused at a
// macro's save unless mayCreate, and created is what EnsureTags was given.
type tagStore struct {
	mu        sync.Mutex
	got       map[int64][]string
	refuse    error
	known     map[string]bool
	mayCreate bool
	created   []string
}

func (s *tagStore) CheckTags(_ context.Context, _ agent.Agent, names []string) (norm, missing []string, err error) {
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		norm = append(norm, n)
		if s.known != nil && !s.known[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 && !s.mayCreate {
		var ve apperr.ValidationError
		ve.Add("tags", "tags.unknown_names", "names", strings.Join(missing, ", "))
		return nil, nil, ve.Err()
	}
	return norm, missing, nil
}

func (s *tagStore) EnsureTags(_ context.Context, names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = append(s.created, names...)
	return nil
}

func (s *tagStore) AddTags(_ context.Context, _ agent.Agent, ticketID int64, names []string) error {
	if s.refuse != nil {
		return s.refuse
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.got == nil {
		s.got = map[int64][]string{}
	}
	s.got[ticketID] = append(s.got[ticketID], names...)
	return nil
}

type ticketState struct {
	Status   domain.TicketStatus
	Priority domain.Priority
	QueueID  *int64
	Replies  int
}

func (s ticketState) String() string {
	q := int64(0)
	if s.QueueID != nil {
		q = *s.QueueID
	}
	return fmt.Sprintf("%s/%s/queue %d/%d replies", s.Status, s.Priority, q, s.Replies)
}

func (f *fixture) state(t *testing.T, id int64) ticketState {
	t.Helper()
	var s ticketState
	must(t, f.db.Raw(`SELECT status, priority, queue_id, (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'out') AS replies
		FROM tickets t WHERE id = ?`, id).Scan(&s).Error)
	return s
}

// One macro sends the filled canned reply, raises the priority, adds
// tags, sets the status and transfers, through the ticket and routing
// services.
func TestMacroAppliesEveryStep(t *testing.T) {
	tags := &tagStore{}
	f := newFixture(t, tags)
	ctx := context.Background()
	id, tn := f.seedTicket(t, "umum", f.budi.ID, "Siti")
	r, err := f.svc.Create(ctx, f.budi, canned.Draft{Title: "Menunggu dokumen", Body: "Bu {{citizen_name}}, mohon kirim KTP untuk {{tracking_number}}."})
	must(t, err)
	m, err := f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Minta dokumen", CannedID: &r.ID, Status: domain.StatusPending,
		Priority: domain.PriorityHigh, Tags: []string{"dokumen", " dokumen ", "ktp"}, TransferQueue: "kartu"})
	must(t, err)
	if len(m.Tags) != 2 {
		t.Fatalf("tags kept = %v", m.Tags)
	}
	out, err := f.svc.Apply(ctx, f.budi, id, m.ID)
	must(t, err)
	if len(out.Steps) != 5 || out.Message == nil || out.Message.Body != "Bu Siti, mohon kirim KTP untuk "+tn+"." {
		t.Fatalf("applied = %+v", out)
	}
	st := f.state(t, id)
	if st.Status != domain.StatusPending || st.Priority != domain.PriorityHigh || st.QueueID == nil || *st.QueueID != f.queues["kartu"] || st.Replies != 1 {
		t.Fatalf("ticket after the macro = %+v", st)
	}
	if got := tags.got[id]; len(got) != 2 || got[0] != "dokumen" || got[1] != "ktp" {
		t.Fatalf("tags = %v", got)
	}
	list, err := f.svc.Macros(ctx, f.budi)
	must(t, err)
	if len(list) != 1 || list[0].UsageCount != 1 {
		t.Fatalf("macros after one use = %+v", list)
	}
}

// A macro's tags must be on the tag list when its saver may not create
// tags: the save is refused naming every one that is not, on create and
// on update, and nothing is stored; a saver who may create tags has the
// new ones put on the list once the macro is saved.
func TestMacroTagsMustBeOnTheList(t *testing.T) {
	tags := &tagStore{known: map[string]bool{"dokumen": true}}
	f := newFixture(t, tags)
	ctx := context.Background()
	draft := canned.MacroDraft{Name: "Label", Status: domain.StatusPending, Tags: []string{"Dokumen", "ktp", "kk"}}
	_, err := f.svc.SaveMacro(ctx, f.budi, 0, draft)
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) || ve.Fields["tags"].Key != "tags.unknown_names" || fmt.Sprint(ve.Fields["tags"].Args) != "[names ktp, kk]" {
		t.Fatalf("a macro with tags off the list: %v", err)
	}
	if list, err := f.svc.Macros(ctx, f.budi); err != nil || len(list) != 0 {
		t.Fatalf("a refused macro stored: %v %v", list, err)
	}
	m, err := f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Label", Status: domain.StatusPending, Tags: []string{" Dokumen "}})
	must(t, err)
	if !slices.Equal(m.Tags, []string{"dokumen"}) {
		t.Fatalf("tags stored %v, want [dokumen]", m.Tags)
	}
	if _, err := f.svc.SaveMacro(ctx, f.budi, m.ID, draft); !errors.As(err, &ve) || ve.Fields["tags"].Key != "tags.unknown_names" {
		t.Fatalf("an update with tags off the list: %v", err)
	}
	if got, _ := f.svc.Macro(ctx, f.budi, m.ID); !slices.Equal(got.Tags, []string{"dokumen"}) {
		t.Fatalf("a refused update changed the tags to %v", got.Tags)
	}
	if len(tags.created) != 0 {
		t.Fatalf("tags created by refused saves: %v", tags.created)
	}
	tags.mayCreate = true
	m, err = f.svc.SaveMacro(ctx, f.budi, m.ID, draft)
	must(t, err)
	if !slices.Equal(m.Tags, []string{"dokumen", "ktp", "kk"}) || !slices.Equal(tags.created, []string{"ktp", "kk"}) {
		t.Fatalf("a saver who may create tags: stored %v, created %v", m.Tags, tags.created)
	}
}

// Whatever can be checked before a change is checked first: a refused
// macro leaves the ticket as it was.
func TestMacroRefusedBeforeAnyChange(t *testing.T) {
	f := newFixture(t, nil) // no tags on this server
	ctx := context.Background()
	id, _ := f.seedTicket(t, "umum", f.budi.ID, "Siti")
	r, err := f.svc.Create(ctx, f.budi, canned.Draft{Title: "Salam", Body: "Halo {{citizen_name}}"})
	must(t, err)

	// Saving a macro with tags is refused with a clear reason.
	_, err = f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Label", CannedID: &r.ID, Tags: []string{"x"}})
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) || ve.Fields["tags"].Key != "macros.tags_unavailable" {
		t.Fatalf("a macro with tags and no tagger: %v", err)
	}
	// One stored with tags before (or by another instance) is refused at apply.
	withTags := canned.New(canned.Opts{DB: f.db, Tickets: f.tickets, Work: f.router, Tagger: &tagStore{}, Texts: nil, Log: nil})
	m, err := withTags.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Label", CannedID: &r.ID, Status: domain.StatusSolved, Tags: []string{"x"}})
	must(t, err)
	before := f.state(t, id)
	if _, err := f.svc.Apply(ctx, f.budi, id, m.ID); !errors.Is(err, canned.ErrNoTagger) {
		t.Fatalf("apply without a tagger: %v", err)
	}
	solve, err := f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Selesai", CannedID: &r.ID, Status: domain.StatusSolved})
	must(t, err)
	transfer, err := f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Ke kartu", Priority: domain.PriorityUrgent, TransferQueue: "kartu"})
	must(t, err)
	other, _ := f.seedTicket(t, "umum", 0, "Warga") // nobody's: budi may not transfer it
	closed, _ := f.seedTicket(t, "umum", 0, "Warga")
	must(t, f.db.Exec(`UPDATE tickets SET status = 'closed' WHERE id = ?`, closed).Error)
	kartu, _ := f.seedTicket(t, "kartu", 0, "Warga")
	for _, c := range []struct {
		name   string
		ticket int64
		macro  int64
		want   error
	}{
		{"a closed ticket", closed, solve.ID, ticket.ErrClosed},
		{"a ticket outside the agent's queues", kartu, solve.ID, ticket.ErrForbidden},
		{"a transfer of a ticket not the agent's", other, transfer.ID, routing.ErrForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := f.state(t, c.ticket)
			_, err := f.svc.Apply(ctx, f.budi, c.ticket, c.macro)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if a := f.state(t, c.ticket); a.String() != b.String() {
				t.Fatalf("the ticket changed: %s -> %s", b, a)
			}
		})
	}
	if after := f.state(t, id); after.Status != before.Status || after.Replies != before.Replies {
		t.Fatalf("the refused macro changed the ticket: %+v -> %+v", before, after)
	}
	// A complaint awaiting verification (a form ticket) is not solved by a
	// macro: refused before its reply goes out, naming the stage.
	cat, err := locale.Load()
	must(t, err)
	guarded := canned.New(canned.Opts{DB: f.db, Work: f.router, Texts: cat, Log: testenv.Logger(t),
		Tickets: ticket.New(ticket.Opts{DB: f.db, Bus: f.bus, Loads: f.router, Clocks: f.clocks, Log: testenv.Logger(t), EndGuard: complaint.NewGuard(f.db)})})
	b := f.state(t, id)
	if _, err := guarded.Apply(ctx, f.budi, id, solve.ID); !errors.Is(err, complaint.ErrInProgress) {
		t.Fatalf("a solving macro on a complaint awaiting verification: %v", err)
	}
	if a := f.state(t, id); a.String() != b.String() {
		t.Fatalf("the refused macro changed the complaint's ticket: %s -> %s", b, a)
	}
	// Joko does not even see budi's macros.
	if _, err := f.svc.Apply(ctx, f.joko, kartu, solve.ID); !errors.Is(err, canned.ErrNotFound) {
		t.Fatalf("joko applies budi's macro: %v", err)
	}
}

// On an installation that does not run the ticket's channel, a macro that
// replies is refused whole before any step (its priority, tags and status
// would otherwise be applied around a reply nothing delivers); one without
// a reply still works the ticket.
func TestMacroRefusedOnAChannelOff(t *testing.T) {
	tags := &tagStore{}
	f := newFixture(t, tags)
	ctx := context.Background()
	id, _ := f.seedTicket(t, "umum", f.budi.ID, "Siti") // a web-form ticket
	r, err := f.svc.Create(ctx, f.budi, canned.Draft{Title: "Salam", Body: "Halo {{citizen_name}}"})
	must(t, err)
	reply, err := f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Salam dan tunggu", CannedID: &r.ID,
		Priority: domain.PriorityHigh, Tags: []string{"dokumen"}, Status: domain.StatusPending})
	must(t, err)
	quiet, err := f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Penting", Priority: domain.PriorityUrgent})
	must(t, err)
	off := canned.New(canned.Opts{DB: f.db, Work: f.router, Tagger: tags, Log: testenv.Logger(t),
		Tickets: ticket.New(ticket.Opts{DB: f.db, Bus: f.bus, Loads: f.router, Clocks: f.clocks, Log: testenv.Logger(t),
			Channels: []domain.Channel{domain.ChannelWhatsApp, domain.ChannelVoice, domain.ChannelLiveChat}})})

	b := f.state(t, id)
	_, err = off.Apply(ctx, f.budi, id, reply.ID)
	var ex *apperr.Explained
	if !errors.Is(err, ticket.ErrChannelOff) || !errors.As(err, &ex) || ex.Code != apperr.CodeChannelOff || ex.Key != "channel_off.webform" {
		t.Fatalf("a replying macro on a channel that is off: %v", err)
	}
	if a := f.state(t, id); a.String() != b.String() || len(tags.got[id]) != 0 {
		t.Fatalf("the refused macro changed the ticket: %s -> %s, tags %v", b, a, tags.got[id])
	}
	out, err := off.Apply(ctx, f.budi, id, quiet.ID)
	must(t, err)
	if a := f.state(t, id); a.Priority != domain.PriorityUrgent || a.Replies != b.Replies || len(out.Steps) != 1 {
		t.Fatalf("a macro without a reply on a channel that is off: %+v, %s", out, a)
	}
}

// A step refused after the reply went out stops the rest and says what
// was applied.
func TestMacroStopsAndNamesWhatWasApplied(t *testing.T) {
	tags := &tagStore{refuse: errors.New("tags: managed list only")}
	f := newFixture(t, tags)
	ctx := context.Background()
	id, _ := f.seedTicket(t, "umum", f.budi.ID, "Siti")
	r, err := f.svc.Create(ctx, f.budi, canned.Draft{Title: "Salam", Body: "Halo {{citizen_name}}"})
	must(t, err)
	m, err := f.svc.SaveMacro(ctx, f.budi, 0, canned.MacroDraft{Name: "Label", CannedID: &r.ID, Priority: domain.PriorityHigh, Tags: []string{"x"}, Status: domain.StatusSolved})
	must(t, err)
	_, err = f.svc.Apply(ctx, f.budi, id, m.ID)
	var pe *canned.PartialError
	if !errors.As(err, &pe) || pe.Failed != canned.StepTags || len(pe.Applied) != 2 || pe.Applied[0] != canned.StepReply || pe.Applied[1] != canned.StepPriority {
		t.Fatalf("err = %v", err)
	}
	if st := f.state(t, id); st.Status != domain.StatusOpen || st.Replies != 1 || st.Priority != domain.PriorityHigh {
		t.Fatalf("after the stop: %+v (status must not have moved)", st)
	}
}
