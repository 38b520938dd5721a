package whatsapp_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestBurstStoresEveryMessageOnceInOrder: 2,000 messages from 200
// citizens arrive concurrently, in shuffled order, some POSTs carrying
// several citizens' messages, with Meta-style redeliveries of a fifth of
// the POSTs mixed in. Every message is stored exactly once, each citizen
// has one ticket, and each thread reads in the order the citizen wrote.
func TestBurstStoresEveryMessageOnceInOrder(t *testing.T) {
	const citizens, perCitizen, workers = 200, 10, 32
	e := startWA(t)
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	rng := rand.New(rand.NewPCG(1, 2))

	type msg struct {
		from, id string
		at       time.Time
	}
	var all []msg
	for c := range citizens {
		from := fmt.Sprintf("62812%08d", c)
		for i := range perCitizen {
			all = append(all, msg{from: from, id: fmt.Sprintf("wamid.burst-%03d-%02d", c, i), at: base.Add(time.Duration(i) * time.Second)})
		}
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var posts [][]byte
	for i := 0; i < len(all); {
		n := 1 + rng.IntN(3) // one to three messages per POST
		var ms []map[string]any
		for _, m := range all[i:min(i+n, len(all))] {
			ms = append(ms, map[string]any{"from": m.from, "id": m.id, "timestamp": fmt.Sprint(m.at.Unix()), "type": "text",
				"text": map[string]any{"body": m.id}})
		}
		posts = append(posts, webhookOf(numberA, all[i].from, ms, nil))
		i += n
	}
	redeliveries := len(posts) / 5
	for range redeliveries {
		posts = append(posts, posts[rng.IntN(len(posts))])
	}
	rng.Shuffle(len(posts), func(i, j int) { posts[i], posts[j] = posts[j], posts[i] })

	jobs := make(chan []byte)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range jobs {
				req, _ := http.NewRequest(http.MethodPost, e.api.Base+"/webhooks/whatsapp", bytesReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Hub-Signature-256", sign(body))
				res, err := e.api.HTTP.Do(req)
				if err == nil {
					res.Body.Close()
				}
				if err != nil || res.StatusCode != http.StatusOK {
					mu.Lock()
					failures = append(failures, fmt.Sprint(err, res))
					mu.Unlock()
				}
			}
		}()
	}
	for _, p := range posts {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d POSTs not acknowledged, first: %s", len(failures), failures[0])
	}

	total := citizens * perCitizen
	e.waitStored(t, int64(total), 2*time.Minute, 50*time.Millisecond)
	var stats struct{ N, Uniq, Tickets int64 }
	if err := e.check.Raw(`SELECT COUNT(*) AS n, COUNT(DISTINCT provider_message_id) AS uniq, COUNT(DISTINCT ticket_id) AS tickets
		FROM messages WHERE channel = 'whatsapp'`).Scan(&stats).Error; err != nil {
		t.Fatal(err)
	}
	if stats.N != int64(total) || stats.Uniq != int64(total) || stats.Tickets != citizens {
		t.Fatalf("stored %+v, want %d messages once each on %d tickets", stats, total, citizens)
	}
	var rows []struct {
		TicketID int64
		Body     string
	}
	if err := e.check.Raw(`SELECT ticket_id, body FROM messages WHERE channel = 'whatsapp' ORDER BY ticket_id, created_at, id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	next := map[int64]int{}
	for _, r := range rows {
		var c, i int
		if _, err := fmt.Sscanf(r.Body, "wamid.burst-%03d-%02d", &c, &i); err != nil {
			t.Fatal(err)
		}
		if i != next[r.TicketID] {
			t.Fatalf("ticket %d: message %d shown where %d belongs", r.TicketID, i, next[r.TicketID])
		}
		next[r.TicketID]++
	}
	// The agent's view is the same order (spot check through the API).
	tk := e.ticket(rows[0].TicketID)
	for i, m := range tk.Messages {
		if want := fmt.Sprintf("-%02d", i); m.Body[len(m.Body)-3:] != want {
			t.Fatalf("API thread position %d shows %s", i, m.Body)
		}
	}
}
