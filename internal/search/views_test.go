package search_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/search"
	"tanggap/internal/ticket"
)

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func TestViewsPersonalAndShared(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mine, err := f.search.CreateView(ctx, f.agentA, search.ViewInput{Name: "WhatsApp saya", Filters: ticket.Filter{Channel: "whatsapp"}})
	must(t, err)
	if _, err := f.search.CreateView(ctx, f.agentA, search.ViewInput{Name: "Bersama", Shared: true}); !errors.Is(err, search.ErrForbidden) {
		t.Fatalf("an agent shared a view: %v", err)
	}
	shared, err := f.search.CreateView(ctx, f.super, search.ViewInput{Name: "Mendesak", Shared: true, Filters: ticket.Filter{Priority: "urgent", Scope: "all"}})
	must(t, err)
	var ve *apperr.ValidationError
	if _, err := f.search.CreateView(ctx, f.agentA, search.ViewInput{Name: "  "}); !errors.As(err, &ve) {
		t.Fatalf("a view without a name: %v", err)
	}
	if _, err := f.search.CreateView(ctx, f.agentA, search.ViewInput{Name: "x", Filters: ticket.Filter{Status: "lost"}}); !errors.As(err, &ve) {
		t.Fatalf("a view with a bad filter: %v", err)
	}

	list := func(vs []search.View) map[int64]search.View {
		m := map[int64]search.View{}
		for _, v := range vs {
			m[v.ID] = v
		}
		return m
	}
	va, err := f.search.Views(ctx, f.agentA)
	must(t, err)
	vb, err := f.search.Views(ctx, f.agentB)
	must(t, err)
	ma, mb := list(va), list(vb)
	if _, ok := ma[mine.ID]; !ok || !ma[mine.ID].Editable {
		t.Fatal("the owner does not see or may not edit their view")
	}
	if _, ok := mb[mine.ID]; ok {
		t.Fatal("another agent sees a personal view")
	}
	if v, ok := mb[shared.ID]; !ok || v.Editable {
		t.Fatalf("shared view for an agent: present %v, editable %v", ok, v.Editable)
	}
	if err := f.search.DeleteView(ctx, f.agentB, mine.ID); !errors.Is(err, search.ErrViewNotFound) {
		t.Fatalf("another agent removed a personal view: %v", err)
	}
	if err := f.search.DeleteView(ctx, f.agentA, shared.ID); !errors.Is(err, search.ErrForbidden) {
		t.Fatalf("an agent removed a shared view: %v", err)
	}
	renamed, err := f.search.UpdateView(ctx, f.agentA, mine.ID, search.ViewInput{Name: "WA", Filters: ticket.Filter{Channel: "whatsapp"}})
	must(t, err)
	if renamed.Name != "WA" {
		t.Fatalf("renamed to %q", renamed.Name)
	}
	must(t, f.search.DeleteView(ctx, f.agentA, mine.ID))
	if _, err := f.search.ViewTickets(ctx, f.agentA, mine.ID, "", 0); !errors.Is(err, search.ErrViewNotFound) {
		t.Fatalf("a removed view still lists: %v", err)
	}
}

// TestViewsStayInScope: a shared view made by a supervisor over every
// queue lists and counts, for an agent, only what that agent may see.
func TestViewsStayInScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, _ := f.add(t, seed{name: "A", queue: f.queueA, priority: "urgent"})
	b, _ := f.add(t, seed{name: "B", queue: f.queueB, priority: "urgent"})
	f.add(t, seed{name: "C", queue: f.queueA, priority: "low"})
	v, err := f.search.CreateView(ctx, f.super, search.ViewInput{Name: "Mendesak", Shared: true, Filters: ticket.Filter{Priority: "urgent", Scope: "all"}})
	must(t, err)
	for _, c := range []struct {
		who   string
		page  func() (ticket.Page, error)
		count func() (map[int64]int, error)
		want  []int64
	}{
		{"agent of queue a", func() (ticket.Page, error) { return f.search.ViewTickets(ctx, f.agentA, v.ID, "", 0) },
			func() (map[int64]int, error) { return f.search.Counts(ctx, f.agentA) }, []int64{a}},
		{"agent of queue b", func() (ticket.Page, error) { return f.search.ViewTickets(ctx, f.agentB, v.ID, "", 0) },
			func() (map[int64]int, error) { return f.search.Counts(ctx, f.agentB) }, []int64{b}},
		{"supervisor", func() (ticket.Page, error) { return f.search.ViewTickets(ctx, f.super, v.ID, "", 0) },
			func() (map[int64]int, error) { return f.search.Counts(ctx, f.super) }, []int64{b, a}},
	} {
		p, err := c.page()
		must(t, err)
		if got := ticketIDs(p.Tickets); !equal(got, c.want) {
			t.Errorf("%s: view lists %v, want %v", c.who, got, c.want)
		}
		counts, err := c.count()
		must(t, err)
		if counts[v.ID] != len(c.want) {
			t.Errorf("%s: count %d, want %d", c.who, counts[v.ID], len(c.want))
		}
	}
}

// TestViewCountsAreShared: many consoles asking at once cost one count
// per distinct view and scope while the count is fresh.
func TestViewCountsAreShared(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.add(t, seed{name: "A", queue: f.queueA, priority: "urgent"})
	counting := &countingTickets{Service: f.tickets}
	s := search.New(search.Opts{DB: f.db, Tickets: counting, CountTTL: time.Minute}) // fresh for the whole test, however slow the machine
	v, err := s.CreateView(ctx, f.super, search.ViewInput{Name: "Mendesak", Shared: true, Filters: ticket.Filter{Priority: "urgent", Scope: "all"}})
	must(t, err)
	for i := 0; i < 10; i++ {
		for _, viewer := range []int{0, 1} {
			who := f.super
			if viewer == 1 {
				who = f.admin
			}
			c, err := s.Counts(ctx, who)
			must(t, err)
			if c[v.ID] != 1 {
				t.Fatalf("count %d, want 1", c[v.ID])
			}
		}
	}
	if counting.n != 1 {
		t.Fatalf("%d counts for 20 asks by two viewers who see all, want 1", counting.n)
	}
}

// countingTickets counts the counts that reach the ticket service.
type countingTickets struct {
	*ticket.Service
	n int
}

func (c *countingTickets) Count(ctx context.Context, viewer agent.Agent, f ticket.Filter) (int, error) {
	c.n++
	return c.Service.Count(ctx, viewer, f)
}
