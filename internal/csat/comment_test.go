package csat

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/agent"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
)

// TestCommentAfterTheRating: a survey rated without a comment (a WhatsApp
// tap) takes one comment afterwards through its link, trimmed, recorded
// with how and when it came; the rating and its channel stay. A second
// comment, a comment before the rating, an empty or too long one and one
// past the survey's expiry are refused and change nothing.
func TestCommentAfterTheRating(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := f.ticket("whatsapp", "32")
	u, err := f.svc.SurveyURL(ctx, id)
	f.must(err)
	tok := token(t, u)

	if err := f.svc.AddComment(ctx, tok, "belum dinilai", ByLink); !errors.Is(err, ErrNotRated) {
		t.Fatalf("comment before the rating: %v, want ErrNotRated", err)
	}
	f.must(f.svc.Rate(ctx, tok, Answer{Rating: 4}, ByWhatsApp))
	open, err := f.svc.Survey(ctx, tok)
	if err != nil || !open.Rated || open.Rating != 4 || open.Commented {
		t.Fatalf("rated without a comment: %+v, %v", open, err)
	}
	for name, c := range map[string]struct {
		comment string
		want    error
	}{
		"empty":    {"  \n ", ErrNoComment},
		"too long": {strings.Repeat("a", MaxCommentRunes+1), ErrBadRating},
		"a NUL":    {"a\x00b", ErrBadRating},
	} {
		if err := f.svc.AddComment(ctx, tok, c.comment, ByLink); !errors.Is(err, c.want) {
			t.Errorf("%s comment: %v, want %v", name, err, c.want)
		}
	}

	f.now = f.now.Add(time.Minute)
	f.must(f.svc.AddComment(ctx, tok, "  Petugasnya ramah, tapi lama.  ", ByLink))
	if err := f.svc.AddComment(ctx, tok, "lagi", ByStatus); !errors.Is(err, ErrAlreadyCommented) {
		t.Fatalf("second comment: %v, want ErrAlreadyCommented", err)
	}
	if err := f.svc.Rate(ctx, tok, Answer{Rating: 1, Comment: "x"}, ByLink); !errors.Is(err, ErrAlreadyRated) {
		t.Fatalf("a rating after the comment: %v, want ErrAlreadyRated", err)
	}
	rs, err := f.svc.TicketRatings(ctx, id)
	if err != nil || len(rs) != 1 {
		t.Fatalf("ratings %+v, %v", rs, err)
	}
	r := rs[0]
	if r.Rating != 4 || r.AnsweredBy != ByWhatsApp || r.Comment != "Petugasnya ramah, tapi lama." || r.CommentBy != ByLink ||
		r.CommentedAt == nil || !r.CommentedAt.Equal(f.now) {
		t.Fatalf("rating after its comment %+v", r)
	}
	if open, _ := f.svc.Survey(ctx, tok); !open.Commented {
		t.Fatalf("survey after its comment %+v", open)
	}

	// A comment given with the rating is the one comment.
	id2 := f.ticket("webform", "32")
	u2, err := f.svc.SurveyURL(ctx, id2)
	f.must(err)
	f.must(f.svc.Rate(ctx, token(t, u2), Answer{Rating: 5, Comment: "Cepat"}, ByLink))
	if err := f.svc.AddComment(ctx, token(t, u2), "lagi", ByLink); !errors.Is(err, ErrAlreadyCommented) {
		t.Fatalf("comment after a rating with one: %v, want ErrAlreadyCommented", err)
	}
	if rs, _ := f.svc.TicketRatings(ctx, id2); len(rs) != 1 || rs[0].Comment != "Cepat" || rs[0].CommentBy != ByLink {
		t.Fatalf("ratings %+v", rs)
	}

	// Closed: past the survey's expiry, as for a rating.
	id3 := f.ticket("whatsapp", "32")
	u3, err := f.svc.SurveyURL(ctx, id3)
	f.must(err)
	f.must(f.svc.Rate(ctx, token(t, u3), Answer{Rating: 3}, ByWhatsApp))
	f.now = f.now.Add(7*24*time.Hour + time.Second)
	if err := f.svc.AddComment(ctx, token(t, u3), "terlambat", ByLink); !errors.Is(err, ErrExpired) {
		t.Fatalf("comment after the expiry: %v, want ErrExpired", err)
	}
	if rs, _ := f.svc.TicketRatings(ctx, id3); len(rs) != 1 || rs[0].Comment != "" {
		t.Fatalf("an expired survey took a comment: %+v", rs)
	}
	// A forged link is refused.
	if err := f.svc.AddComment(ctx, "abc", "palsu", ByLink); !errors.Is(err, ErrBadToken) {
		t.Fatalf("forged link: %v, want ErrBadToken", err)
	}
}

// TestLowRatingAlertShowsTheLaterComment: the supervisor's alert of a low
// WhatsApp tap shows no reason until the citizen adds one, then shows it.
func TestLowRatingAlertShowsTheLaterComment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := f.ticket("whatsapp", "32")
	u, err := f.svc.SurveyURL(ctx, id)
	f.must(err)
	f.must(f.svc.Rate(ctx, token(t, u), Answer{Rating: 2}, ByWhatsApp))
	sup := agent.Agent{ID: f.super, Role: domain.RoleSupervisor, QueueIDs: []int64{f.queue}}
	list, err := f.svc.Alerts(ctx, sup, 0)
	if err != nil || len(list) != 1 || list[0].Comment != "" {
		t.Fatalf("alerts before the comment %+v, %v", list, err)
	}
	f.must(f.svc.AddComment(ctx, token(t, u), "Dana belum masuk juga", ByLink))
	for _, viewer := range []agent.Agent{sup, {Role: domain.RoleAdmin}} {
		list, err := f.svc.Alerts(ctx, viewer, 0)
		if err != nil || len(list) != 1 || list[0].TicketID != id || list[0].Rating != 2 || list[0].Comment != "Dana belum masuk juga" {
			t.Fatalf("alerts (%s) after the comment %+v, %v", viewer.Role, list, err)
		}
	}
}

// TestCommentEmitsCommented: a comment added after the rating pushes
// csat.commented once it is stored, with the rating's scope (the survey's
// queue and agent), its rating and channel and the low rating's alert
// (0 when none), and never the comment itself. A refused comment pushes
// nothing.
func TestCommentEmitsCommented(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	got := make(chan *nats.Msg, 16)
	sub, err := f.bus.NC.ChanSubscribe(f.bus.Names.Event(bus.EntityCSAT, bus.ActionCSATCommented), got)
	f.must(err)
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	f.must(f.bus.NC.Flush())
	next := func() (bus.CSATCommented, string) {
		t.Helper()
		select {
		case m := <-got:
			var ev bus.CSATCommented
			f.must(json.Unmarshal(m.Data, &ev))
			return ev, string(m.Data)
		case <-time.After(10 * time.Second):
			t.Fatal("no csat.commented event")
		}
		return bus.CSATCommented{}, ""
	}

	// A low WhatsApp tap, then its reason through the link.
	low := f.ticket("whatsapp", "32")
	u, err := f.svc.SurveyURL(ctx, low)
	f.must(err)
	f.must(f.svc.Rate(ctx, token(t, u), Answer{Rating: 2}, ByWhatsApp))
	alerts, err := f.svc.Alerts(ctx, agent.Agent{Role: domain.RoleAdmin}, 0)
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts %+v, %v", alerts, err)
	}
	f.now = f.now.Add(time.Minute)
	f.must(f.svc.AddComment(ctx, token(t, u), "Dana belum masuk juga", ByLink))
	ev, raw := next()
	if ev.TicketID != low || ev.QueueID != f.queue || ev.AssigneeID != f.agentID || ev.TrackingNumber == "" || ev.SurveyID != alerts[0].SurveyID ||
		ev.AlertID != alerts[0].ID || ev.Rating != 2 || ev.Channel != "whatsapp" || !ev.At.Equal(f.now) || ev.V != bus.Version {
		t.Fatalf("csat.commented %+v", ev)
	}
	if strings.Contains(raw, "Dana") || strings.Contains(raw, "comment\"") {
		t.Fatalf("csat.commented carries the comment: %s", raw)
	}

	// Refused: no event. Events of one connection arrive in order, so the
	// next one seen is the next comment's.
	if err := f.svc.AddComment(ctx, token(t, u), "lagi", ByStatus); !errors.Is(err, ErrAlreadyCommented) {
		t.Fatalf("second comment: %v, want ErrAlreadyCommented", err)
	}
	ok := f.ticket("whatsapp", "32")
	u2, err := f.svc.SurveyURL(ctx, ok)
	f.must(err)
	if err := f.svc.AddComment(ctx, token(t, u2), "belum dinilai", ByLink); !errors.Is(err, ErrNotRated) {
		t.Fatalf("comment before the rating: %v, want ErrNotRated", err)
	}
	f.must(f.svc.Rate(ctx, token(t, u2), Answer{Rating: 4}, ByWhatsApp))
	f.must(f.svc.AddComment(ctx, token(t, u2), "Sudah beres, terima kasih", ByStatus))
	ev, raw = next()
	if ev.TicketID != ok || ev.AlertID != 0 || ev.Rating != 4 || ev.QueueID != f.queue || ev.AssigneeID != f.agentID {
		t.Fatalf("csat.commented of a rating without an alert %+v (a refused comment emitted?)", ev)
	}
	if strings.Contains(raw, "beres") {
		t.Fatalf("csat.commented carries the comment: %s", raw)
	}
}

// TestLinkNeedsAPublicAddress: the link for a message leaving the site is
// absolute, or none.
func TestLinkNeedsAPublicAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if l := f.svc.Link("tok"); l != "https://contoh.go.id/pengaduan/status?csat=tok" {
		t.Fatalf("link %q", l)
	}
	if l := New(Opts{DB: f.db, Bus: f.bus, Secret: []byte("x")}).Link("tok"); l != "" {
		t.Fatalf("link without a public address %q", l)
	}
}
