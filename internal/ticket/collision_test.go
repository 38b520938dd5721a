package ticket_test

import (
	"context"
	"errors"
	"testing"

	"tanggap/internal/agent"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// TestReplyAfterAColleaguesIsHeldOnce: a reply whose writer had not read a
// colleague's reply sent meanwhile is refused, naming the colleague, and
// stores nothing; sent again with that reply seen, it goes. The writer's
// own replies and the citizen's messages never hold a reply, and a reply
// that does not say what it saw (Seen 0: API clients, macros) is not held.
func TestReplyAfterAColleaguesIsHeldOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	budi, err := f.agents.Create(ctx, agent.NewAgent{Email: "budi@tanggap.test", Name: "Budi", Password: "password-budi", QueueCodes: []string{"umum"}, Capacity: 2})
	must(t, err)
	id, _ := f.seedTicket(t, domain.StatusOpen, nil)
	last := func() int64 {
		d, err := f.tickets.Get(ctx, f.agent, id)
		must(t, err)
		return d.Messages[len(d.Messages)-1].ID
	}
	count := func() (n int64) {
		must(t, f.db.Raw(`SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, id).Scan(&n).Error)
		return n
	}
	first := last() // the citizen's message both agents read

	rina1, err := f.tickets.ReplyWith(ctx, f.agent, id, ticket.Draft{Body: "Sedang kami cek.", Seen: first})
	must(t, err)
	// Rina's second reply: only her own came since.
	_, err = f.tickets.ReplyWith(ctx, f.agent, id, ticket.Draft{Body: "Mohon ditunggu.", Seen: first})
	must(t, err)

	before := count()
	_, err = f.tickets.ReplyWith(ctx, budi, id, ticket.Draft{Body: "Insentif Ibu cair besok.", Seen: first})
	var clash *ticket.Collision
	if !errors.As(err, &clash) || !errors.Is(err, ticket.ErrReplyCollision) || clash.Agent != "Rina" {
		t.Fatalf("Budi's reply after Rina's unseen = %v, want a collision naming Rina", err)
	}
	if n := count(); n != before {
		t.Fatalf("a held reply stored %d messages", n-before)
	}
	// Having read only Rina's first reply, he is still held (her second).
	if _, err := f.tickets.ReplyWith(ctx, budi, id, ticket.Draft{Body: "Insentif Ibu cair besok.", Seen: rina1.ID}); !errors.Is(err, ticket.ErrReplyCollision) {
		t.Fatalf("Budi, Rina's second reply unseen: %v, want held", err)
	}
	budi1, err := f.tickets.ReplyWith(ctx, budi, id, ticket.Draft{Body: "Insentif Ibu cair besok.", Seen: last()})
	must(t, err)

	// A citizen's message after it holds nobody.
	must(t, f.db.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
		VALUES (?, 'in', 'webform', 'form-again', 'Terima kasih', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, id).Error)
	if _, err := f.tickets.ReplyWith(ctx, budi, id, ticket.Draft{Body: "Sama-sama.", Seen: budi1.ID}); err != nil {
		t.Fatalf("Budi after the citizen's message: %v", err)
	}
	// Rina, behind on Budi's replies, is held; without saying what she
	// saw, she is not.
	if _, err := f.tickets.ReplyWith(ctx, f.agent, id, ticket.Draft{Body: "Ada lagi?", Seen: rina1.ID}); !errors.As(err, &clash) || clash.Agent != "Budi" {
		t.Fatalf("Rina behind on Budi's replies: %v, want held naming Budi", err)
	}
	if _, err := f.tickets.ReplyWith(ctx, f.agent, id, ticket.Draft{Body: "Ada lagi?"}); err != nil {
		t.Fatalf("a reply without Seen: %v", err)
	}
}

// TestTwoRepliesAtOnceOneIsHeld: two agents who read the same thread send
// at the same moment; the check runs under the ticket's lock, so exactly
// one reply goes and the other is held, naming the first.
func TestTwoRepliesAtOnceOneIsHeld(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	budi, err := f.agents.Create(ctx, agent.NewAgent{Email: "budi@tanggap.test", Name: "Budi", Password: "password-budi", QueueCodes: []string{"umum"}, Capacity: 2})
	must(t, err)
	for round := range 5 {
		id, _ := f.seedTicket(t, domain.StatusOpen, nil)
		d, err := f.tickets.Get(ctx, f.agent, id)
		must(t, err)
		seen := d.Messages[len(d.Messages)-1].ID
		errs := make(chan error, 2)
		start := make(chan struct{})
		for _, who := range []agent.Agent{f.agent, budi} {
			go func() {
				<-start
				_, err := f.tickets.ReplyWith(ctx, who, id, ticket.Draft{Body: "Balasan dari " + who.Name, Seen: seen})
				errs <- err
			}()
		}
		close(start)
		var sent, held int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				sent++
			case errors.Is(err, ticket.ErrReplyCollision):
				held++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if sent != 1 || held != 1 {
			t.Fatalf("round %d: %d sent, %d held; want one of each", round, sent, held)
		}
	}
}
