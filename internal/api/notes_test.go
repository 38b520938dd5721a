package api

import (
	"context"
	"strconv"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"tanggap/internal/agent"
	"tanggap/internal/locale"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// Issue 12, bug 4: system notes read in the viewer's language with names,
// the structured ones and those stored as text before.
func TestSystemNotesInTheViewersLanguage(t *testing.T) {
	ctx := context.Background()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := testenv.DB(t)
	agents := agent.New(agent.Opts{DB: d, Log: testenv.Logger(t), BcryptCost: bcrypt.MinCost})
	budi, err := agents.Create(ctx, agent.NewAgent{Email: "budi@b.id", Name: "Budi", Password: "kata-sandi-budi"})
	if err != nil {
		t.Fatal(err)
	}
	sari, err := agents.Create(ctx, agent.NewAgent{Email: "sari@b.id", Name: "Sari", Password: "kata-sandi-sari"})
	if err != nil {
		t.Fatal(err)
	}
	settings := routing.NewSettings(routing.SettingsOpts{DB: d, DefaultQueue: "umum", Log: testenv.Logger(t)})
	if err := settings.EnsureQueues(ctx, []routing.QueueSpec{{Code: "umum", Name: "Umum"}, {Code: "kartu", Name: "Kartu Prakerja"}}); err != nil {
		t.Fatal(err)
	}
	s := &Server{o: Opts{Locale: cat, Agents: agents, Queues: routing.NewAdmin(routing.AdminOpts{DB: d, Settings: settings, Work: routing.New(routing.Opts{DB: d, Settings: settings})}), Log: testenv.Logger(t)}}
	ids := func(id int64) string { return strconv.FormatInt(id, 10) }
	msgs := func() []ticket.Message {
		return []ticket.Message{
			{Direction: "note", Body: "Mohon dicek ulang", Fields: map[string]string{routing.NoteKindField: routing.NoteKindTransfer,
				routing.NoteFromAgent: ids(budi.ID), routing.NoteToAgent: ids(sari.ID)}},
			{Direction: "note", Fields: map[string]string{routing.NoteKindField: routing.NoteKindTransfer,
				routing.NoteFromAgent: ids(sari.ID), routing.NoteToQueueCode: "kartu"}},
			{Direction: "note", Body: "salah antrean", Fields: map[string]string{routing.NoteKindField: routing.NoteKindRelease,
				routing.NoteFromAgent: ids(sari.ID)}},
			{Direction: "note", Body: "transfer: agent " + ids(budi.ID) + " -> agent " + ids(sari.ID) + "\nbutuh verifikasi NIK"},
			{Direction: "note", Body: "transfer: agent " + ids(sari.ID) + " -> queue kartu"},
			{Direction: "note", Body: "release: agent 99999 -> queue"},
			{Direction: "note", Body: "catatan biasa dari petugas"},
			{Direction: "in", Body: "transfer: agent 1 -> agent 2"},
		}
	}
	want := map[string][]string{
		"id-ID": {"Dialihkan dari Budi ke Sari: Mohon dicek ulang", "Dialihkan dari Sari ke antrean Kartu Prakerja",
			"Sari mengembalikan tiket ke antrean: salah antrean", "Dialihkan dari Budi ke Sari: butuh verifikasi NIK",
			"Dialihkan dari Sari ke antrean Kartu Prakerja", "Petugas #99999 mengembalikan tiket ke antrean",
			"catatan biasa dari petugas", "transfer: agent 1 -> agent 2"},
		"en-US": {"Transferred from Budi to Sari: Mohon dicek ulang", "Transferred from Sari to the Kartu Prakerja queue",
			"Sari gave the ticket back to the queue: salah antrean", "Transferred from Budi to Sari: butuh verifikasi NIK",
			"Transferred from Sari to the Kartu Prakerja queue", "Agent #99999 gave the ticket back to the queue",
			"catatan biasa dari petugas", "transfer: agent 1 -> agent 2"},
	}
	for lang, w := range want {
		m := msgs()
		s.renderNotes(ctx, lang, m)
		for i := range w {
			if m[i].Body != w[i] {
				t.Errorf("%s message %d: %q, want %q", lang, i, m[i].Body, w[i])
			}
		}
	}
}
