package ticket_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

func TestBriefsShowStateAndAgent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	waiting, waitingTN := f.seedTicket(t, domain.StatusNew, nil)
	taken, takenTN := f.seedTicket(t, domain.StatusOpen, &f.agent.ID)

	got, err := f.tickets.Briefs(ctx, []string{waitingTN, takenTN, "0000-0000-0000-0000"})
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("briefs %+v, want the two stored tickets", got)
	}
	if b := got[waitingTN]; b.ID != waiting || b.Status != domain.StatusNew || b.AssigneeID != nil || b.AssigneeName != "" ||
		b.QueueID == nil || *b.QueueID != f.queueID {
		t.Fatalf("waiting ticket %+v", b)
	}
	if b := got[takenTN]; b.ID != taken || b.AssigneeID == nil || *b.AssigneeID != f.agent.ID || b.AssigneeName != "Rina" {
		t.Fatalf("taken ticket %+v", b)
	}
	if none, err := f.tickets.Briefs(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("no numbers: %v %v", none, err)
	}

	b, err := f.tickets.Brief(ctx, taken)
	if err != nil || b.TrackingNumber != takenTN || b.AssigneeName != "Rina" {
		t.Fatalf("brief %+v %v", b, err)
	}
	if _, err := f.tickets.Brief(ctx, 1<<40); !errors.Is(err, ticket.ErrNotFound) {
		t.Fatalf("missing ticket: %v, want ErrNotFound", err)
	}
}

func TestMediaIsCompletedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, _ := f.seedTicket(t, domain.StatusNew, nil)

	state, err := f.tickets.MediaState(ctx, "pending/wamid-1")
	if err != nil || state != ticket.MediaAbsent {
		t.Fatalf("before the message: %d %v, want absent", state, err)
	}
	var msgID int64
	must(t, f.db.Raw(`SELECT id FROM messages WHERE ticket_id = ?`, id).Scan(&msgID).Error)
	must(t, f.db.Exec(`INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
		VALUES (?, 'pending/wamid-1', 'foto.jpg', 'image/jpeg', 0, ?, ?)`, msgID, false, time.Now().UTC()).Error)
	if state, err = f.tickets.MediaState(ctx, "pending/wamid-1"); err != nil || state != ticket.MediaPending {
		t.Fatalf("stored: %d %v, want pending", state, err)
	}

	ok, err := f.tickets.CompleteMedia(ctx, "pending/wamid-1", "2026/12/abc.jpg", "image/jpeg", 2048)
	if err != nil || !ok {
		t.Fatalf("complete: %v %v", ok, err)
	}
	if ok, err = f.tickets.CompleteMedia(ctx, "pending/wamid-1", "2026/12/def.jpg", "image/jpeg", 2048); err != nil || ok {
		t.Fatalf("second fetch: %v %v, want no change", ok, err)
	}
	if state, err = f.tickets.MediaState(ctx, "2026/12/abc.jpg"); err != nil || state != ticket.MediaDone {
		t.Fatalf("completed: %d %v, want done", state, err)
	}
}
