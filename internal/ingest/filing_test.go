package ingest

import (
	"context"
	"testing"
	"time"

	"tanggap/internal/envelope"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// New tickets are stored filed: the regional queue of the contact's
// province, the priority the rules give (a keyword; a repeat contact,
// counting the citizen's other tickets, stored in an earlier batch or
// filed in the same one) and the SLA due times of that queue and priority.
func TestNewTicketsAreStoredFiled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := newRouting(e.d, routing.SettingsOpts{CategoryQueues: categoryQueues, DefaultQueue: "umum", Log: testenv.Logger(t),
		PriorityRules: []routing.PriorityRule{
			{Keyword: "darurat", Priority: "urgent"},
			{RepeatContacts: 1, Priority: "high"},
		}})
	if err := r.EnsureQueues(ctx, queueSpecs); err != nil {
		t.Fatal(err)
	}
	sla := map[string]routing.SLATargets{
		"normal": {FirstResponseSeconds: 3600, ResolutionSeconds: 86400},
		"urgent": {FirstResponseSeconds: 600, ResolutionSeconds: 7200},
	}
	if _, err := r.SaveQueue(ctx, routing.QueueSettings{Code: "jabar", Name: "Jawa Barat", Provinces: []string{"32"}, SLA: sla}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SaveQueue(ctx, routing.QueueSettings{Code: "kartu", Name: "Kartu Prakerja", SLA: sla}); err != nil {
		t.Fatal(err)
	}
	plain := complaint("f-plain", "+6281100000001", "Pertanyaan pendaftaran")
	plain.Sender.NIK = nikJabar
	urgent := complaint("f-urgent", "+6281100000002", "DARURAT: data saya dipakai orang lain")
	e.publish(plain)
	e.publish(urgent)
	start := time.Now()
	c := e.consumer(Opts{Router: r})
	e.start(c)
	e.waitCount(2, `SELECT COUNT(*) FROM messages`)

	type filed struct {
		QueueCode          string
		Priority           string
		FirstResponseDueAt *time.Time
		ResolutionDueAt    *time.Time
	}
	get := func(t *testing.T, id string) filed {
		t.Helper()
		var f filed
		if err := e.d.Raw(`SELECT q.code AS queue_code, t.priority, t.first_response_due_at, t.resolution_due_at
FROM tickets t JOIN queues q ON q.id = t.queue_id JOIN messages m ON m.ticket_id = t.id
WHERE m.provider_message_id = ?`, id).Scan(&f).Error; err != nil {
			t.Fatal(err)
		}
		return f
	}
	p := get(t, "f-plain")
	if p.QueueCode != "jabar" || p.Priority != "normal" || p.FirstResponseDueAt == nil || p.ResolutionDueAt == nil {
		t.Fatalf("plain complaint from Jawa Barat filed %+v", p)
	}
	// The clock starts when the ticket is filed (the queue is open around
	// the clock): between the start of the test and now.
	if lo, hi := start.Add(time.Hour), time.Now().Add(time.Hour); p.FirstResponseDueAt.Before(lo.Add(-time.Second)) || p.FirstResponseDueAt.After(hi) {
		t.Fatalf("first response due %v, want the normal target of 1 h from filing (%v … %v)", p.FirstResponseDueAt, lo, hi)
	}
	u := get(t, "f-urgent")
	if u.QueueCode != "kartu" || u.Priority != "urgent" || u.FirstResponseDueAt == nil ||
		u.FirstResponseDueAt.After(time.Now().Add(10*time.Minute)) {
		t.Fatalf("urgent complaint filed %+v", u)
	}

	// A citizen's second complaint is a repeat contact whichever batch the
	// first one came in. Which batch a message lands in is up to timing
	// (a worker takes whatever has queued up for it), so each case makes
	// its batches itself. The complaints were received months before the
	// test runs: the window reaches back from the ticket's received-at
	// time, not from the clock.
	t.Run("the first complaint stored in an earlier batch counts", func(t *testing.T) {
		e.publish(complaint("f-rep-1", "+6281100000003", "Saldo belum masuk"))
		e.waitCount(1, `SELECT COUNT(*) FROM messages WHERE provider_message_id = 'f-rep-1'`)
		e.publish(complaint("f-rep-2", "+6281100000003", "Saldo belum masuk juga"))
		e.waitCount(1, `SELECT COUNT(*) FROM messages WHERE provider_message_id = 'f-rep-2'`)
		if f := get(t, "f-rep-1"); f.Priority != "normal" {
			t.Fatalf("first complaint filed %+v, want normal: nothing came before it", f)
		}
		if f := get(t, "f-rep-2"); f.Priority != "high" || f.FirstResponseDueAt != nil {
			t.Fatalf("second complaint filed %+v, want high (no SLA target here)", f)
		}
	})
	t.Run("two complaints of one batch count each other", func(t *testing.T) {
		var items []*item
		for _, in := range []envelope.Inbound{
			complaint("f-same-1", "+6281100000004", "Saldo belum masuk"),
			complaint("f-same-2", "+6281100000004", "Saldo belum masuk juga"),
		} {
			it, err := newItem(nil, in)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
		}
		if _, err := c.commit(ctx, items); err != nil { // one batch, one transaction
			t.Fatal(err)
		}
		for _, id := range []string{"f-same-1", "f-same-2"} {
			if f := get(t, id); f.Priority != "high" || f.FirstResponseDueAt != nil {
				t.Fatalf("complaint %s filed %+v, want high (no SLA target here)", id, f)
			}
		}
	})
}
