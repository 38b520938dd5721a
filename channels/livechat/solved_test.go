package livechat

import (
	"context"
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// TestSolvedOnlyAfterTheVisitorWrote: a citizen writes to a solved
// conversation; until the core stores the message (and reopens the
// ticket), a read of the ticket still says solved. That read appends
// nothing: the solve is older than the message. A solve after the
// message (the agent solves the reopened ticket) is appended.
func TestSolvedOnlyAfterTheVisitorWrote(t *testing.T) {
	d := testenv.DB(t)
	s := &store{db: d}
	ctx := context.Background()
	start := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.createVisitor(ctx, "vs", "TN-vs", "id-ID", start); err != nil {
		t.Fatal(err)
	}
	ap := newAppender(d, testenv.Logger(t))
	defer ap.close()
	write := func(cid string, at time.Time) {
		t.Helper()
		if _, _, ok, err := ap.add(ctx, "vs", newEntry{kind: KindMessage, dedupe: "c:" + cid, body: entryBody{CID: cid}}, wroteChange(at), at); err != nil || !ok {
			t.Fatalf("message %s: ok=%v err=%v", cid, ok, err)
		}
	}
	solve := func(solvedAt time.Time) bool {
		t.Helper()
		b := ticket.Brief{TrackingNumber: "TN-vs", Status: domain.StatusSolved, SolvedAt: &solvedAt}
		_, _, ok, err := ap.add(ctx, "vs", newEntry{kind: KindSolved, tn: "TN-vs"}, solvedChange(b), solvedAt.Add(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	write("m1", start.Add(time.Second))
	if !solve(start.Add(2 * time.Second)) {
		t.Fatal("the first solve (after the message) was not appended")
	}
	write("m2", start.Add(3*time.Second)) // to the solved conversation: open again
	if solve(start.Add(2 * time.Second)) {
		t.Fatal(`a read of the ticket from before the citizen wrote again told the citizen "solved" again`)
	}
	if v, err := s.visitor(ctx, "vs"); err != nil || v.State != "open" {
		t.Fatalf("visitor %+v, %v: want open", v, err)
	}
	if !solve(start.Add(4 * time.Second)) {
		t.Fatal("the solve of the reopened ticket was not appended")
	}
	// A ticket closed without a solve has no time to compare: told.
	write("m3", start.Add(5*time.Second))
	if _, _, ok, err := ap.add(ctx, "vs", newEntry{kind: KindSolved, tn: "TN-vs"},
		solvedChange(ticket.Brief{TrackingNumber: "TN-vs", Status: domain.StatusClosed}), start.Add(6*time.Second)); err != nil || !ok {
		t.Fatalf("closed without a solve: ok=%v err=%v", ok, err)
	}
}
