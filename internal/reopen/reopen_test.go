package reopen

import (
	"testing"
	"time"

	"tanggap/internal/locale"
)

func TestWhenAndSpoken(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	jkt := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 12, 5, 21, 30, 0, 0, jkt) // a Saturday evening
	for _, tc := range []struct {
		at          time.Time
		lang        string
		read, heard string
	}{
		{time.Date(2026, 12, 5, 22, 0, 0, 0, jkt), "id-ID", "hari ini pukul 22.00 WIB", "hari ini pukul 22.00 WIB"},
		{time.Date(2026, 12, 6, 8, 0, 0, 0, jkt), "id-ID", "besok pukul 08.00 WIB", "besok pukul 08.00 WIB"},
		{time.Date(2026, 12, 7, 8, 0, 0, 0, jkt), "id-ID", "Senin pukul 08.00 WIB", "Senin pukul 08.00 WIB"},
		// After a long holiday: the date, in digits to read, by name to hear.
		{time.Date(2027, 1, 5, 8, 0, 0, 0, jkt), "id-ID", "05-01-2027 pukul 08.00 WIB", "5 Januari pukul 08.00 WIB"},
		{time.Date(2027, 1, 5, 8, 0, 0, 0, jkt), "en-US", "05-01-2027 at 08:00 WIB", "January 5 at 08:00 WIB"},
	} {
		if got := When(cat, tc.lang, now, tc.at); got != tc.read {
			t.Errorf("When(%v, %s) = %q, want %q", tc.at, tc.lang, got, tc.read)
		}
		if got := Spoken(cat, tc.lang, now, tc.at); got != tc.heard {
			t.Errorf("Spoken(%v, %s) = %q, want %q", tc.at, tc.lang, got, tc.heard)
		}
	}
}

// TestOpens: the sentence beside a closed channel, in both languages, in
// the zone of the opening (a WITA queue's hour is said in WITA).
func TestOpens(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	wib := time.FixedZone("WIB", 7*3600)
	wita := time.FixedZone("WITA", 8*3600)
	now := time.Date(2026, 12, 5, 21, 30, 0, 0, wib) // a Saturday evening
	for _, tc := range []struct {
		name string
		at   time.Time
		lang string
		want string
	}{
		{"tomorrow in Indonesian", time.Date(2026, 12, 6, 8, 0, 0, 0, wib), "id-ID", "Buka lagi besok pukul 08.00 WIB."},
		{"tomorrow in English", time.Date(2026, 12, 6, 8, 0, 0, 0, wib), "en-US", "Opens tomorrow at 08:00 WIB."},
		{"a weekday in the queue's own zone", time.Date(2026, 12, 7, 9, 30, 0, 0, wita), "id-ID", "Buka lagi Senin pukul 09.30 WITA."},
		{"a weekday in English", time.Date(2026, 12, 7, 9, 30, 0, 0, wita), "en-US", "Opens Monday at 09:30 WITA."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Opens(cat, tc.lang, now, tc.at); got != tc.want {
				t.Errorf("Opens = %q, want %q", got, tc.want)
			}
		})
	}
}
