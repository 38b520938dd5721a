package ticket

import (
	"encoding/json"
	"testing"
	"time"

	"tanggap/internal/domain"
)

// TestSummaryJSONAsEncodingJSON: the hand-written encoder writes the same
// bytes as encoding/json for tickets with and without their optional
// fields, in any zone, and for strings that need escaping.
func TestSummaryJSONAsEncodingJSON(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	at := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	q, a := int64(7), int64(42)
	solved := at.Add(90 * time.Minute).In(wib)
	cases := []Summary{
		{},
		{ID: 1, TrackingNumber: "ADU-2026-000001", Status: domain.StatusOpen, Priority: domain.PriorityNormal,
			Channel: "whatsapp", Category: "insentif", Subject: "Dana insentif belum cair", ContactID: 9,
			ContactName: "Siti Rahayu", QueueID: &q, Queue: "Kartu Prakerja", AssigneeID: &a, AssigneeName: "Budi",
			CreatedAt: at, UpdatedAt: at.Add(time.Second), LastMessageAt: at.Add(time.Nanosecond),
			FirstResponseAt: &at, SolvedAt: &solved, FirstResponseDueAt: &at, ResolutionDueAt: &at},
		{ID: 2, Subject: `Tanya "jadwal" <pelatihan> & a\b`, ContactName: "Ñoño Ümit 李雷 \u2028\u2029 \x01\t\n",
			Queue: "bad \xff utf-8", CreatedAt: at.In(wib), UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			LastMessageAt: at.In(time.FixedZone("", -9000))},
	}
	for i, c := range cases {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.AppendJSON(nil); string(got) != string(want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestPageJSON: a page without tags is written as encoding/json writes
// Page; with tags, as the list API answered with fiber.Map (the cursor
// always, the tags by ticket id, tickets without tags absent).
func TestPageJSON(t *testing.T) {
	p := Page{Tickets: []Summary{{ID: 3, TrackingNumber: "PK-1"}, {ID: 5, Subject: "a \"b\""}}, NextCursor: "c<1>"}
	for _, cursor := range []string{"", "c<1>"} {
		p.NextCursor = cursor
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.AppendJSON(nil, false); string(got) != string(want) {
			t.Errorf("cursor %q:\n got %s\nwant %s", cursor, got, want)
		}
	}
	p.NextCursor = ""
	p.Tags = map[int64][]string{5: {"bansos", "\"x\""}}
	want, err := json.Marshal(struct {
		Tickets    []Summary          `json:"tickets"`
		NextCursor string             `json:"next_cursor"`
		Tags       map[int64][]string `json:"tags"`
	}{p.Tickets, "", p.Tags})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.AppendJSON(nil, true); string(got) != string(want) {
		t.Errorf("with tags:\n got %s\nwant %s", got, want)
	}
}
