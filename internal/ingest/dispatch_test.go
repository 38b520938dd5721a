package ingest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"tanggap/internal/envelope"
)

// Rounds go whole to one worker while it keeps up and by citizen once it
// falls behind; through every change of mode each citizen's messages are
// stored in the order they were fetched, and both modes are used.
func TestDispatchKeepsEachCitizensOrder(t *testing.T) {
	const workers, fill, citizens, messages = 3, 5, 7, 3000
	d := newDispatch(workers, fill)
	var (
		mu       sync.Mutex
		stored   = map[string][]int{}
		parallel = map[int]bool{} // workers that stored something
		wg       sync.WaitGroup
	)
	for w := range d.queues {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for round := range d.queues[w] {
				if rand.IntN(4) == 0 {
					time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond) // a slow commit
				}
				mu.Lock()
				for _, it := range round {
					var seq int
					fmt.Sscan(it.in.ProviderMessageID, &seq)
					stored[it.in.Sender.Phone] = append(stored[it.in.Sender.Phone], seq)
				}
				parallel[w] = true
				mu.Unlock()
				d.done(w, len(round))
			}
		}(w)
	}
	spread, gathered := 0, 0
	for seq := 0; seq < messages; {
		n := min(1+rand.IntN(4*fill), messages-seq)
		if rand.IntN(3) == 0 {
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) // a quiet spell
		}
		round := make([]*item, 0, n)
		for range n {
			round = append(round, &item{in: envelope.Inbound{ProviderMessageID: fmt.Sprint(seq),
				Sender: envelope.Sender{Phone: fmt.Sprintf("+62811%03d", rand.IntN(citizens))}}})
			seq++
		}
		d.send(round)
		if d.spread {
			spread++
		} else {
			gathered++
		}
	}
	for _, q := range d.queues {
		close(q)
	}
	wg.Wait()
	total := 0
	for phone, seqs := range stored {
		total += len(seqs)
		for i := 1; i < len(seqs); i++ {
			if seqs[i] < seqs[i-1] {
				t.Fatalf("citizen %s: message %d stored after %d", phone, seqs[i], seqs[i-1])
			}
		}
	}
	if total != messages {
		t.Fatalf("%d messages stored, want %d", total, messages)
	}
	if spread == 0 || gathered == 0 || len(parallel) < 2 {
		t.Fatalf("rounds sent spread %d, gathered %d, workers used %d: both modes must be exercised", spread, gathered, len(parallel))
	}
}
