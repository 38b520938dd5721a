package search

import (
	"context"
	"sort"
	"time"
)

// SetManyMatches makes s walk newest first when more than n messages
// hold the words (ManyMatches in production) on SQLite, and on
// PostgreSQL when the words are among common (the statistics ANALYZE
// would give, here given), for tests on small tables.
func SetManyMatches(s *Service, n int, common ...string) {
	s.store.many = n
	st := &s.store.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	st.at = time.Now()
	st.freq = map[string]float64{}
	st.words = nil
	st.messages, st.tickets = 0, 0
	for _, w := range common {
		st.freq[w] = 1
		st.words = append(st.words, w)
	}
	sort.Strings(st.words)
}

// CommonWords says whether s counts words as common on PostgreSQL, from
// the statistics it reads.
func CommonWords(s *Service, words ...string) bool {
	s.store.stats.mu.Lock()
	s.store.stats.at = time.Time{}
	s.store.stats.mu.Unlock()
	return s.store.stats.common(context.Background(), s.store.db, words, s.store.common)
}

// SetRankAtMost sets how many matches a cut walk may rank instead
// (MessageCandidates in production; never more, as countRanked ranks
// every match it counted).
func SetRankAtMost(s *Service, n int) { s.store.rankAtMost = n }

// SetRows gives s the planner's row counts of messages and tickets (the
// statistics ANALYZE would give), for tests on small tables; call it
// after SetManyMatches.
func SetRows(s *Service, messages, tickets float64) {
	st := &s.store.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	st.messages, st.tickets = messages, tickets
}

// SetShare gives word the share of messages w in s's statistics (the
// statistics ANALYZE would give), for tests; call it after
// SetManyMatches.
func SetShare(s *Service, word string, w float64) {
	st := &s.store.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.freq[word]; !ok {
		st.words = append(st.words, word)
		sort.Strings(st.words)
	}
	st.freq[word] = w
}
