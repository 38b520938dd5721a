package search

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"tanggap/internal/db"
)

// wordStatsTTL: how long the words' statistics are reused.
const wordStatsTTL = 10 * time.Minute

// wordStats is the share of messages holding each of the most common
// words (PostgreSQL's most_common_elems of messages.body_tsv, which
// ANALYZE and autovacuum keep, up to ten times the column's statistics
// target of words), read at most every wordStatsTTL, never per search.
// A word not among them is rarer than the rarest listed. With them, the
// planner's row counts of messages and tickets (pg_class.reltuples; 0
// when unknown, as before the first ANALYZE).
type wordStats struct {
	mu       sync.Mutex
	at       time.Time
	words    []string // sorted
	freq     map[string]float64
	messages float64
	tickets  float64
}

// loaded reads the statistics when they are older than wordStatsTTL;
// w.mu is held.
func (w *wordStats) loaded(ctx context.Context, d *db.DB) {
	if w.at.IsZero() || time.Since(w.at) > wordStatsTTL {
		w.load(ctx, d)
	}
}

// share is the share of messages holding word (a prefix when last: its
// listed words added up); 0 when it is not listed. w.mu is held.
func (w *wordStats) share(word string, last bool) float64 {
	if !last || !prefixable(word) {
		return w.freq[word]
	}
	f := 0.0
	for j := sort.SearchStrings(w.words, word); j < len(w.words) && strings.HasPrefix(w.words[j], word); j++ {
		f += w.freq[w.words[j]]
	}
	return f
}

// estimate is the number of messages holding a single word (the last, a
// prefix) by the statistics, or -1 when they cannot say (a word not
// listed, or no row count).
func (w *wordStats) estimate(ctx context.Context, d *db.DB, word string) float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loaded(ctx, d)
	f := w.share(word, true)
	if f <= 0 || w.messages <= 0 {
		return -1
	}
	return f * w.messages
}

// together is the number of messages holding all the words (the last a
// prefix) by the statistics, each word's share taken as independent of
// the others' (a prefix's listed words added up, at most every message),
// or -1 when they cannot say (a word not listed, or no row count). Words
// that go together, as people's words do, are in more messages than it
// says; only words that avoid each other are in fewer.
func (w *wordStats) together(ctx context.Context, d *db.DB, words []string) float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loaded(ctx, d)
	if len(words) == 0 || w.messages <= 0 {
		return -1
	}
	est := w.messages
	for i, word := range words {
		f := w.share(word, i == len(words)-1)
		if f <= 0 {
			return -1
		}
		est *= min(f, 1)
	}
	return est
}

// broad says whether the last of several words, a prefix, begins words
// that the statistics put in at least min of messages together.
func (w *wordStats) broad(ctx context.Context, d *db.DB, words []string, min float64) bool {
	if len(words) < 2 || !prefixable(words[len(words)-1]) {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loaded(ctx, d)
	return w.share(words[len(words)-1], true) >= min
}

// ticketRows is the planner's row count of tickets (0: unknown).
func (w *wordStats) ticketRows(ctx context.Context, d *db.DB) float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loaded(ctx, d)
	return w.tickets
}

// common says whether each word, the last as a prefix (its listed words
// added up), is in at least min of messages. Without statistics (a new
// or small table, or an error reading them) no word is common.
func (w *wordStats) common(ctx context.Context, d *db.DB, words []string, min float64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loaded(ctx, d)
	if len(words) == 0 || len(w.freq) == 0 {
		return false
	}
	for i, word := range words {
		if w.share(word, i == len(words)-1) < min {
			return false
		}
	}
	return true
}

func (w *wordStats) load(ctx context.Context, d *db.DB) {
	var rows []struct {
		Word string
		Freq float64
	}
	// Read for every search of the next wordStatsTTL: a search cancelled
	// meanwhile (the agent typed on) must not leave them empty.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := d.WithContext(ctx).Raw(`SELECT u.word, u.freq FROM pg_stats s,
		unnest(CAST(CAST(s.most_common_elems AS TEXT) AS TEXT[]), s.most_common_elem_freqs) AS u(word, freq)
		WHERE s.schemaname = current_schema() AND s.tablename = 'messages' AND s.attname = 'body_tsv'
			AND u.word IS NOT NULL`).Scan(&rows).Error
	w.at = time.Now()
	if err != nil {
		return // the last statistics (none at first) until the next try
	}
	var counts []struct {
		Relname   string
		Reltuples float64
	}
	if err := d.WithContext(ctx).Raw(`SELECT c.relname, c.reltuples FROM pg_class c
		WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND c.relname IN ('messages', 'tickets')`).Scan(&counts).Error; err != nil {
		return
	}
	w.messages, w.tickets = 0, 0
	for _, c := range counts {
		switch {
		case c.Reltuples <= 0: // never analyzed (-1), or empty
		case c.Relname == "messages":
			w.messages = c.Reltuples
		case c.Relname == "tickets":
			w.tickets = c.Reltuples
		}
	}
	w.freq = map[string]float64{}
	w.words = w.words[:0]
	for _, r := range rows {
		if r.Word == "" {
			continue
		}
		w.freq[r.Word] = r.Freq
		w.words = append(w.words, r.Word)
	}
	sort.Strings(w.words)
}
