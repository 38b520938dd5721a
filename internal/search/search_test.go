package search_test

import (
	"context"
	"strings"
	"testing"

	"tanggap/internal/agent"
)

func TestSearchFindsEachKindOfIdentifier(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, tn := f.add(t, seed{name: "Siti Aminah", phone: "+6281234567890", email: "siti.aminah@example.go.id",
		nik: "3201012503900001", queue: f.queueA, body: "Insentif saya belum cair sejak bulan Juli"})
	other, _ := f.add(t, seed{name: "Bambang", phone: "+6281299990000", queue: f.queueA, body: "Pelatihan tidak bisa dibuka"})
	cases := []struct {
		name, q, field string
	}{
		{"local form 0812 finds a number stored as +62812", "0812-3456-7890", "phone"},
		{"international with spaces", "+62 812 3456 7890", "phone"},
		{"country code without plus", "6281234567890", "phone"},
		{"tracking number with dashes", tn, "tracking_number"},
		{"tracking number without separators", strings.ReplaceAll(tn, "-", ""), "tracking_number"},
		{"e-mail in other case", "Siti.Aminah@EXAMPLE.go.id", "email"},
		{"NIK with separators", "3201 0125 0390 0001", "nik"},
		{"a name, by a prefix of one word", "amin", "name"},
		{"words of a message", "belum cair", "message"},
		{"the last word as a prefix", "insentif bul", "message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := f.search.Search(ctx, f.agentA, c.q, 0, 0)
			must(t, err)
			if len(r.Results) == 0 || r.Results[0].Ticket.ID != id {
				t.Fatalf("%q: got %v, want ticket %d first", c.q, ids(r), id)
			}
			if has(ids(r), other) {
				t.Fatalf("%q also found the other citizen's ticket", c.q)
			}
			var fields []string
			for _, m := range r.Results[0].Matches {
				fields = append(fields, m.Field)
			}
			if !strings.Contains(strings.Join(fields, ","), c.field) {
				t.Fatalf("%q matched on %v, want %s", c.q, fields, c.field)
			}
		})
	}
}

func TestSearchNeverShowsANIKUnmasked(t *testing.T) {
	f := newFixture(t)
	const nik = "3201012503900001"
	f.add(t, seed{name: "Siti", nik: nik, queue: f.queueA, body: "NIK saya 3201012503900001, mohon dicek"})
	for _, viewer := range []agent.Agent{f.agentA, f.super, f.admin} {
		for _, q := range []string{nik, "mohon dicek"} {
			r, err := f.search.Search(context.Background(), viewer, q, 0, 0)
			must(t, err)
			if len(r.Results) != 1 {
				t.Fatalf("%s: %q found %d", viewer.Role, q, len(r.Results))
			}
			for _, m := range r.Results[0].Matches {
				if strings.Contains(m.Value+m.Snippet, "03900001") {
					t.Fatalf("%s sees the NIK in %+v", viewer.Role, m)
				}
			}
		}
	}
}

func TestSearchRanksIdentifiersFirstAndPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var want []int64
	for i := 0; i < 7; i++ {
		id, _ := f.add(t, seed{name: "Warga", queue: f.queueA, body: "kartu prakerja saya hilang"})
		want = append(want, id)
	}
	seen := map[int64]bool{}
	offset := 0
	for pages := 0; ; pages++ {
		r, err := f.search.Search(ctx, f.admin, "prakerja", 3, offset)
		must(t, err)
		for _, id := range ids(r) {
			if seen[id] {
				t.Fatalf("ticket %d on two pages", id)
			}
			seen[id] = true
		}
		if r.NextOffset == 0 {
			break
		}
		offset = r.NextOffset
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("paged through %d tickets, want %d", len(seen), len(want))
	}
}

// TestSearchStaysInScope: an agent finds nothing of a queue they do not
// work in, by any kind of query; a supervisor and an admin find it.
func TestSearchStaysInScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	idB, tn := f.add(t, seed{name: "Rahasia Warga", phone: "+6281311112222", email: "rahasia@example.go.id",
		nik: "3201012503900001", queue: f.queueB, body: "pengaduan rahasia tentang pungutan"})
	mine, _ := f.add(t, seed{name: "Rahasia Lain", queue: f.queueB, assignee: &f.agentA.ID, body: "pengaduan rahasia kedua"})
	for _, q := range []string{tn, "081311112222", "rahasia@example.go.id", "3201012503900001", "rahasia", "pungutan", "pengaduan"} {
		r, err := f.search.Search(ctx, f.agentA, q, 0, 0)
		must(t, err)
		if has(ids(r), idB) {
			t.Errorf("agent of queue a found queue b's ticket by %q", q)
		}
		for _, viewer := range []agent.Agent{f.agentB, f.super, f.admin} {
			r, err := f.search.Search(ctx, viewer, q, 0, 0)
			must(t, err)
			if !has(ids(r), idB) {
				t.Errorf("%s %s did not find the ticket by %q", viewer.Role, viewer.Name, q)
			}
		}
	}
	// An agent's own ticket in another queue is theirs to find.
	r, err := f.search.Search(ctx, f.agentA, "rahasia", 0, 0)
	must(t, err)
	if !has(ids(r), mine) || has(ids(r), idB) {
		t.Fatalf("agent a: got %v, want their own ticket %d and not %d", ids(r), mine, idB)
	}
}

func TestSearchOfNothing(t *testing.T) {
	f := newFixture(t)
	f.add(t, seed{name: "Siti", queue: f.queueA, body: "halo"})
	for _, q := range []string{"", "   ", "!!!", `"`, "*", "zzzzzz"} {
		r, err := f.search.Search(context.Background(), f.admin, q, 0, 0)
		must(t, err)
		if len(r.Results) != 0 {
			t.Fatalf("%q found %v", q, ids(r))
		}
	}
}
