package livechat_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/locale"
)

// closedQueues is a routing seed whose two queues are closed today and
// tomorrow whatever the hour: layanan (WIB) opens at 08:00 three days from
// today, timur (WIT) at 10:00 four days from today, each in its own zone.
// It returns the seed's path and when each queue opens.
func closedQueues(t *testing.T) (path string, layanan, timur time.Time) {
	t.Helper()
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	wit, err := time.LoadLocation("Asia/Jayapura")
	if err != nil {
		t.Fatal(err)
	}
	day := func(loc *time.Location, after, hour int) time.Time {
		d := time.Now().In(loc).AddDate(0, 0, after)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	}
	layanan, timur = day(wib, 3, 8), day(wit, 4, 10)
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	seed := fmt.Sprintf(`queues:
  - code: layanan
    name: Layanan
    time_zone: WIB
    hours:
      %s: ["08:00-17:00"]
  - code: timur
    name: Timur
    time_zone: WIT
    hours:
      %s: ["10:00-16:00"]
`, names[layanan.Weekday()], names[timur.Weekday()])
	path = filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, []byte(seed), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, layanan, timur
}

// TestQueueFrameSaysWhenTheQueueOpens: a visitor who writes while the
// chat's queue is closed (nobody online) is told when it opens again, in
// both languages, in the queue's own time zone; moved to another closed
// queue, the ticket's new queue is the one whose opening they are told.
func TestQueueFrameSaysWhenTheQueueOpens(t *testing.T) {
	seed, layanan, timur := closedQueues(t)
	cfg := apptest.Config(t)
	cfg.LivechatAllowedOrigins = []string{"https://situs.go.id"}
	cfg.DefaultQueue = "layanan"
	cfg.Routing.SeedFile = seed
	base := apptest.Start(t, cfg).URL()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	day := func(lang string, at time.Time) string {
		return cat.T(lang, "launcher.day_"+[]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[at.Weekday()])
	}

	w := mustDial(t, base)
	tn := w.hello("", 0)["conversation"].(map[string]any)["tn"].(string)
	w.entriesUntilReplayed()
	w.say("m1", "Selamat malam, kartu saya belum aktif.")
	q := w.next("queue")
	opens, _ := q["opens"].(map[string]any)
	if q.str("tn") != tn || q["open"] != false || opens == nil {
		t.Fatalf("queue frame outside hours = %v, want closed with when it opens", q)
	}
	for lang, want := range map[string]string{
		"id-ID": "Buka lagi " + day("id-ID", layanan) + " pukul 08.00 WIB.",
		"en-US": "Opens " + day("en-US", layanan) + " at 08:00 WIB.",
	} {
		if opens[lang] != want {
			t.Errorf("opens[%s] = %v, want %q", lang, opens[lang], want)
		}
	}

	// Moved to the WIT queue: its calendar and its zone.
	admin := apptest.NewClient(t, base) // not online: the queues stay closed
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := agent{admin}.ticket(t, tn).ID
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", id), map[string]any{"queue": "timur"}); r.Status/100 != 2 {
		t.Fatalf("transfer: %d %s", r.Status, r.Body)
	}
	want := "Buka lagi " + day("id-ID", timur) + " pukul 10.00 WIT."
	deadline := time.Now().Add(asyncWait)
	for {
		q := w.next("queue")
		opens, _ := q["opens"].(map[string]any)
		if opens["id-ID"] == want {
			if en := "Opens " + day("en-US", timur) + " at 10:00 WIT."; opens["en-US"] != en {
				t.Errorf("opens[en-US] in the WIT queue = %v, want %q", opens["en-US"], en)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the transfer the queue frame says %v, want %q", q, want)
		}
	}
}
