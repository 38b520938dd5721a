package complaint

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestCalendarCachedPerZoneAndYear: views and ticks read a zone's
// calendar from memory, not the database, until DropCalendars (a holiday
// change) or the TTL (a change on another instance); a read begun before
// a drop is not kept.
func TestCalendarCachedPerZoneAndYear(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	clock := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC) // a Monday
	s := New(Opts{DB: d, CalendarTTL: time.Hour, Now: func() time.Time { return clock }})
	monday := clock
	due := func() time.Time {
		t.Helper()
		cal, err := s.calendar(ctx, "Asia/Jakarta", monday)
		if err != nil {
			t.Fatal(err)
		}
		return AddWorkingDays(cal, monday, 1)
	}
	if got := due(); !got.Equal(monday.Add(24 * time.Hour)) {
		t.Fatalf("no holiday: due %s", got)
	}
	// A holiday written behind the cache's back (another instance).
	if err := d.Exec(`INSERT INTO holidays (day, name, kind) VALUES ('2026-12-08', 'Libur', 'national')`).Error; err != nil {
		t.Fatal(err)
	}
	if got := due(); !got.Equal(monday.Add(24 * time.Hour)) {
		t.Fatalf("the calendar was read again (due %s): not cached", got)
	}
	// Each zone has its own entry: WITA, not read before, sees it.
	if cal, err := s.calendar(ctx, "Asia/Makassar", monday); err != nil || !AddWorkingDays(cal, monday, 1).Equal(monday.Add(48*time.Hour)) {
		t.Fatalf("WITA calendar: %v", err)
	}
	// A holiday change drops it.
	s.DropCalendars()
	if got := due(); !got.Equal(monday.Add(48 * time.Hour)) {
		t.Fatalf("after the drop: due %s, want after the holiday", got)
	}
	// The TTL covers a change nobody announced.
	ttl := New(Opts{DB: d, CalendarTTL: time.Nanosecond})
	if _, err := ttl.calendar(ctx, "Asia/Jakarta", monday); err != nil {
		t.Fatal(err)
	}
	if err := d.Exec(`DELETE FROM holidays WHERE day = '2026-12-08'`).Error; err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 5*time.Second, time.Millisecond, func() error {
		cal, err := ttl.calendar(ctx, "Asia/Jakarta", monday)
		if err != nil {
			return err
		}
		if got := AddWorkingDays(cal, monday, 1); !got.Equal(monday.Add(24 * time.Hour)) {
			return fmt.Errorf("still the cached calendar")
		}
		return nil
	})
}
