package complaint_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestHolidayChangeReachesCachedCalendars: the lifecycle keeps its
// calendars cached (a minute), yet a holiday saved through the admin API
// counts in the next view at once: the settings-change notice drops them.
func TestHolidayChangeReachesCachedCalendars(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	id := e.ticketID(e.pub.Complaint(map[string]string{"name": "Sari", "phone": "081299990000", "category": "pelatihan",
		"description": "Jadwal pelatihan saya berubah tanpa pemberitahuan."}))
	// The due time is stored; the working days left are counted on the
	// calendar at every view.
	before := clock(e.view(id), "verification").DaysLeft
	day := nextWorkdays(1)[0]
	if r := e.admin.Do(http.MethodPut, "/api/v1/admin/holidays/"+day[:4], map[string]any{"holidays": []map[string]string{
		{"day": day, "name": "Libur " + day, "kind": "national"}}}); r.Status != http.StatusOK {
		t.Fatalf("holidays: %d %s", r.Status, r.Body)
	}
	// Faster than the cache's TTL: only the notice can have dropped it.
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		if left := clock(e.view(id), "verification").DaysLeft; left > before-0.5 {
			return fmt.Errorf("verification still %.1f working days left (before %.1f)", left, before)
		}
		return nil
	})
}
