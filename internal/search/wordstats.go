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
// A word not among them is rarer than the rarest listed.
type wordStats struct {
	mu    sync.Mutex
	at    time.Time
	words []string // sorted
	freq  map[string]float64
}

// common says whether each word, the last as a prefix (its listed words
// added up), is in at least min of messages. Without statistics (a new
// or small table, or an error reading them) no word is common.
func (w *wordStats) common(ctx context.Context, d *db.DB, words []string, min float64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.at.IsZero() || time.Since(w.at) > wordStatsTTL {
		w.load(ctx, d)
	}
	if len(words) == 0 || len(w.freq) == 0 {
		return false
	}
	for i, word := range words {
		f := w.freq[word]
		if i == len(words)-1 && prefixable(word) {
			f = 0
			for j := sort.SearchStrings(w.words, word); j < len(w.words) && strings.HasPrefix(w.words[j], word); j++ {
				f += w.freq[w.words[j]]
			}
		}
		if f < min {
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
