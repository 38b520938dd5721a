package search_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/db"
	"tanggap/internal/search"
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
// Both ways of searching words are tried: ranking every match, and the
// newest-first walk taken when many messages hold the words.
func TestSearchStaysInScope(t *testing.T) {
	t.Run("ranked", func(t *testing.T) { staysInScope(t, newFixture(t)) })
	t.Run("walked newest first", func(t *testing.T) {
		f := newFixture(t)
		search.SetManyMatches(f.search, 0, "rahasia", "pungutan", "pengaduan")
		staysInScope(t, f)
	})
}

func staysInScope(t *testing.T, f *fixture) {
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

// TestSearchOfACommonWordWalksNewestFirst: when more messages hold the
// words than are ranked (ManyMatches, lowered here), the results are the
// newest matching tickets in the viewer's scope, newest first, paged
// without repeats, with an excerpt; a viewer with fewer matches than a
// page still finds them all.
func TestSearchOfACommonWordWalksNewestFirst(t *testing.T) {
	f := newFixture(t)
	search.SetManyMatches(f.search, 2, "dana", "cair")
	ctx := context.Background()
	start := time.Now().UTC().Add(-24 * time.Hour)
	var want []int64 // newest first
	for i := 0; i < 6; i++ {
		id, _ := f.add(t, seed{name: "Warga", queue: f.queueA, at: start.Add(time.Duration(i) * time.Hour),
			body: "dana insentif saya belum cair juga"})
		want = append([]int64{id}, want...)
		if i == 0 {
			// The oldest ticket matches best (two messages, the words
			// thrice): ranked, it would come first.
			must(t, f.db.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
				VALUES (?, 'in', 'webform', 'p-extra', 'dana cair dana cair dana cair', ?, ?)`, id, start, start).Error)
		}
	}
	f.add(t, seed{name: "Warga", queue: f.queueA, at: start.Add(10 * time.Hour), body: "dana sudah masuk"})
	idB, _ := f.add(t, seed{name: "Warga", queue: f.queueB, at: start.Add(11 * time.Hour), body: "dana belum cair"})
	var got []int64
	offset := 0
	for pages := 0; ; pages++ {
		r, err := f.search.Search(ctx, f.agentA, "dana cair", 4, offset)
		must(t, err)
		for _, res := range r.Results {
			if len(res.Matches) == 0 || res.Matches[0].Field != "message" || !strings.Contains(res.Matches[0].Snippet, "cair") {
				t.Fatalf("ticket %d matched on %+v, want a message excerpt", res.Ticket.ID, res.Matches)
			}
		}
		got = append(got, ids(r)...)
		if r.NextOffset == 0 {
			break
		}
		offset = r.NextOffset
		if pages > 3 {
			t.Fatal("paging does not end")
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("agent a paged through %v, want %v (newest first, queue a only)", got, want)
	}
	// A match older than the walk reaches (search.WalkTickets tickets per
	// result wanted) is found all the same.
	old, _ := f.add(t, seed{name: "Warga", queue: f.queueA, at: start.Add(-time.Hour), body: "sertifikat belum terbit"})
	for i := 0; i < 2*search.WalkTickets+1; i++ {
		f.add(t, seed{name: "Warga", queue: f.queueA, at: start.Add(time.Duration(i) * time.Minute), body: "sertifikat sudah"})
	}
	search.SetManyMatches(f.search, 2, "dana", "cair", "terbit")
	r, err := f.search.Search(ctx, f.agentA, "terbit", 1, 0)
	must(t, err)
	if fmt.Sprint(ids(r)) != fmt.Sprint([]int64{old}) {
		t.Fatalf("a match older than the walk: found %v, want [%d]", ids(r), old)
	}
	// So is one of two words each common but rare together: the walk is
	// cut, and the matches counted with their ranking are the answer.
	search.SetManyMatches(f.search, 0, "sertifikat", "terbit")
	r, err = f.search.Search(ctx, f.agentA, "sertifikat terbit", 1, 0)
	must(t, err)
	if fmt.Sprint(ids(r)) != fmt.Sprint([]int64{old}) || r.Older {
		t.Fatalf("two words matching older than the walk: found %v (older %v), want [%d]", ids(r), r.Older, old)
	}
	search.SetManyMatches(f.search, 2, "dana", "cair", "terbit")
	// Unless more messages hold it than can be ranked: then the walk's
	// finds are the answer (PostgreSQL; SQLite's walk reads matches).
	search.SetRankAtMost(f.search, 0)
	r, err = f.search.Search(ctx, f.agentA, "terbit", 1, 0)
	must(t, err)
	tooCommon := fmt.Sprint([]int64{old})
	if f.db.Dialect == db.Postgres {
		tooCommon = "[]"
	}
	if got := fmt.Sprint(ids(r)); got != tooCommon {
		t.Fatalf("a match older than the walk of a word too common to rank: found %s, want %s", got, tooCommon)
	}
	search.SetRankAtMost(f.search, search.MessageCandidates)
	// Agent b's queue holds one match: fewer than a page, found all the same.
	r, err = f.search.Search(ctx, f.agentB, "dana cair", 0, 0)
	must(t, err)
	if fmt.Sprint(ids(r)) != fmt.Sprint([]int64{idB}) {
		t.Fatalf("agent b found %v, want [%d]", ids(r), idB)
	}
}

// TestCommonWordsComeFromThePlannersStatistics (PostgreSQL): after
// ANALYZE, a word in most messages is common, a word in a few is not,
// nor is a word no message holds (the threshold is 0.5 %); the last word counts as a prefix.
func TestCommonWordsComeFromThePlannersStatistics(t *testing.T) {
	f := newFixture(t)
	if f.db.Dialect != db.Postgres {
		t.Skip("SQLite counts the matches in the FTS5 table")
	}
	if search.CommonWords(f.search, "dana") {
		t.Fatal("a word is common before any statistics")
	}
	for i := 0; i < 300; i++ {
		body := fmt.Sprintf("dana bantuan nomor%d", i)
		if i == 0 {
			body += " langka"
		}
		f.add(t, seed{name: "Warga", queue: f.queueA, body: body})
	}
	must(t, f.db.Exec(`ANALYZE messages`).Error)
	for _, c := range []struct {
		words  []string
		common bool
	}{
		{[]string{"dana"}, true},
		{[]string{"dana", "bantuan"}, true},
		{[]string{"dana", "ban"}, true}, // the last word, a prefix
		{[]string{"dan", "bantuan"}, false},
		{[]string{"langka"}, false},
		{[]string{"dana", "langka"}, false},
		{[]string{"zzz"}, false},
	} {
		if got := search.CommonWords(f.search, c.words...); got != c.common {
			t.Errorf("%v: common %v, want %v", c.words, got, c.common)
		}
	}
}

// TestSearchOfTwoWordsFindsExactlyTheTicketsHoldingBoth: two words find
// the tickets with a message holding the first and the second (the last
// word a prefix) and the citizens whose name holds both, within the
// viewer's scope: no more, no fewer, whichever way the words are
// searched (ranked; walked newest first; ranked from the rows counted
// because the statistics say a walk would not fill the page, the last
// word a prefix for the index or, a broad one, tested on the rows the
// first word leads to; walked without a count because the statistics put
// the words in many messages; walked because the words typed, the last
// exact, are already too many to rank).
func TestSearchOfTwoWordsFindsExactlyTheTicketsHoldingBoth(t *testing.T) {
	for _, mode := range []string{"ranked", "walked newest first", "ranked by the statistics", "ranked by the statistics, the prefix broad",
		"walked, many by the statistics", "walked, too many to rank as exact words"} {
		t.Run(mode, func(t *testing.T) {
			f := newFixture(t)
			switch mode {
			case "walked newest first":
				search.SetManyMatches(f.search, 0, "dana", "cair")
			case "ranked by the statistics":
				search.SetManyMatches(f.search, 0, "dana", "cair")
				search.SetShare(f.search, "cair", 0.1) // common, not broad
				search.SetRows(f.search, 1000, 1e6)
			case "ranked by the statistics, the prefix broad":
				search.SetManyMatches(f.search, 0, "dana", "cair")
				search.SetRows(f.search, 1000, 1e6)
			case "walked, many by the statistics":
				search.SetManyMatches(f.search, 0, "dana", "cair")
				search.SetRows(f.search, 1e6, 1e4)
			case "walked, too many to rank as exact words":
				// "dana cair" exact is in two messages, more than can
				// be ranked here: the prefix is not counted, and the
				// walk still finds "cairnya".
				search.SetManyMatches(f.search, 0, "dana", "cair")
				search.SetRankAtMost(f.search, 0)
			}
			ctx := context.Background()
			both, _ := f.add(t, seed{name: "Warga Satu", queue: f.queueA, body: "dana insentif saya belum cair"})
			prefix, _ := f.add(t, seed{name: "Warga Dua", queue: f.queueA, body: "kapan dana bisa dicairkan atau cairnya"})
			f.add(t, seed{name: "Warga Tiga", queue: f.queueA, body: "dana saya hilang"})
			f.add(t, seed{name: "Warga Empat", queue: f.queueA, body: "sudah cair kemarin"})
			f.add(t, seed{name: "Warga Lima", queue: f.queueA, body: "danacair tanpa spasi"})
			byName, _ := f.add(t, seed{name: "Dana Cairani", queue: f.queueA, body: "halo"})
			f.add(t, seed{name: "Dana Putri", queue: f.queueA, body: "halo"})
			otherQueue, _ := f.add(t, seed{name: "Warga Enam", queue: f.queueB, body: "dana cair"})
			for _, c := range []struct {
				viewer agent.Agent
				want   []int64
			}{
				{f.agentA, []int64{both, prefix, byName}},
				{f.admin, []int64{both, prefix, byName, otherQueue}},
			} {
				r, err := f.search.Search(ctx, c.viewer, "Dana cair", 0, 0)
				must(t, err)
				got := ids(r)
				sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Errorf("%s: found %v, want exactly %v", c.viewer.Role, got, c.want)
				}
				for _, res := range r.Results {
					want := "message"
					if res.Ticket.ID == byName {
						want = "name"
					}
					if len(res.Matches) != 1 || res.Matches[0].Field != want {
						t.Errorf("%s: ticket %d matched on %+v, want %s", c.viewer.Role, res.Ticket.ID, res.Matches, want)
					}
				}
			}
		})
	}
}

// TestSearchCountedAndRankedStaysInScope (PostgreSQL): two words each
// common, counted and ranked in one statement after a walk cut short,
// find the viewer's older match although better and newer matches
// outside the viewer's scope would fill the page; and a count above what
// can be ranked (the last word a prefix the exact words do not reach)
// answers with the walk's finds and says older tickets may match.
func TestSearchCountedAndRankedStaysInScope(t *testing.T) {
	f := newFixture(t)
	if f.db.Dialect != db.Postgres {
		t.Skip("SQLite counts from the FTS5 table and ranks apart")
	}
	ctx := context.Background()
	start := time.Now().UTC().Add(-24 * time.Hour)
	mine, _ := f.add(t, seed{name: "Warga", queue: f.queueA, at: start, body: "sertifikat belum terbit"})
	for i := 0; i < 3; i++ { // newer and better, out of agent a's scope
		f.add(t, seed{name: "Warga", queue: f.queueB, at: start.Add(time.Minute), body: "sertifikat terbit sertifikat terbit"})
	}
	for i := 0; i < 2*search.WalkTickets+1; i++ {
		f.add(t, seed{name: "Warga", queue: f.queueA, at: start.Add(time.Duration(i+1) * time.Minute), body: "sertifikat sudah"})
	}
	search.SetManyMatches(f.search, 0, "sertifikat", "terbit", "terbi")
	r, err := f.search.Search(ctx, f.agentA, "sertifikat terbit", 1, 0)
	must(t, err)
	if fmt.Sprint(ids(r)) != fmt.Sprint([]int64{mine}) || r.Older {
		t.Fatalf("found %v (older %v), want [%d]: the ranked rows must be the viewer's", ids(r), r.Older, mine)
	}
	search.SetRankAtMost(f.search, 2)
	r, err = f.search.Search(ctx, f.agentA, "sertifikat terbi", 1, 0)
	must(t, err)
	if len(r.Results) != 0 || !r.Older {
		t.Fatalf("found %v (older %v), want none and older ones possible: 4 matches, more than the 2 that may be ranked", ids(r), r.Older)
	}
}

// TestSearchOfACommonWordCutShortOffersOlderResults: a word so common
// (by the statistics) that its matches cannot all be ranked is walked
// newest first without counting them; when the walk stops at its bound
// with a short page, the page says more may follow, and the next page
// walks further back and finds the older match; the results say older
// tickets may match until the walk has reached them all (PostgreSQL; SQLite's
// walk reads the matches themselves and finds both at once).
func TestSearchOfACommonWordCutShortOffersOlderResults(t *testing.T) {
	f := newFixture(t)
	search.SetManyMatches(f.search, 0, "terbit")
	search.SetRows(f.search, 1e6, 2e5) // a million messages hold "terbit"'s share
	ctx := context.Background()
	start := time.Now().UTC().Add(-24 * time.Hour)
	old, _ := f.add(t, seed{name: "Warga", queue: f.queueA, at: start, body: "sertifikat belum terbit"})
	const limit = 2 // the walk reads WalkTickets × (limit + 1) tickets
	for i := 0; i < search.WalkTickets*(limit+1)+5; i++ {
		f.add(t, seed{name: "Warga", queue: f.queueA, at: start.Add(time.Duration(i+1) * time.Minute), body: "sertifikat sudah"})
	}
	newest, _ := f.add(t, seed{name: "Warga", queue: f.queueA, at: start.Add(time.Hour * 12), body: "sertifikat terbit"})
	r, err := f.search.Search(ctx, f.agentA, "terbit", limit, 0)
	must(t, err)
	if f.db.Dialect != db.Postgres {
		if fmt.Sprint(ids(r)) != fmt.Sprint([]int64{newest, old}) || r.NextOffset != 0 || r.Older {
			t.Fatalf("found %v (next %d), want [%d %d] and no next page", ids(r), r.NextOffset, newest, old)
		}
		return
	}
	if fmt.Sprint(ids(r)) != fmt.Sprint([]int64{newest}) || r.NextOffset != 1 || !r.Older {
		t.Fatalf("first page: %v (next %d, older %v), want [%d], a next page at 1, and older ones possible", ids(r), r.NextOffset, r.Older, newest)
	}
	r, err = f.search.Search(ctx, f.agentA, "terbit", limit, r.NextOffset)
	must(t, err)
	if fmt.Sprint(ids(r)) != fmt.Sprint([]int64{old}) || r.NextOffset != 0 || r.Older {
		t.Fatalf("second page: %v (next %d, older %v), want [%d], no next page, the walk complete", ids(r), r.NextOffset, r.Older, old)
	}
}
