package apptest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// FollowedUp brings a form complaint's lifecycle to a published follow-up
// (as verifying, disposing to a unit, the unit's answer and publishing
// would), so that its ticket may be solved: for tests whose subject comes
// after the answer (solving, the rating, reopening) and that need no work
// unit configured. c is a signed-in agent who can see the ticket; cfg is
// the app's configuration (its database).
func FollowedUp(t testing.TB, cfg config.Config, c *Client, ticketID int64) {
	t.Helper()
	complaintAt(t, cfg, c, ticketID, "followed_up")
}

// Ended ends a form complaint's lifecycle (closed after its follow-up)
// leaving its ticket as it is, so that the ticket may be solved or closed
// by a status change: for tests of the ticket's own statuses (wrap-up
// codes, bulk actions) that use a form complaint as any ticket.
func Ended(t testing.TB, cfg config.Config, c *Client, ticketID int64) {
	t.Helper()
	complaintAt(t, cfg, c, ticketID, "closed")
}

func complaintAt(t testing.TB, cfg config.Config, c *Client, ticketID int64, stage string) {
	t.Helper()
	// Read once through the API, the complaint is linked if the scheduler
	// has not yet.
	if res := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/complaint", ticketID), nil); res.Status != http.StatusOK {
		t.Fatalf("apptest: complaint of ticket %d: %d %s", ticketID, res.Status, res.Body)
	}
	d, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir}, testenv.Logger(t))
	if err != nil {
		t.Fatalf("apptest: open database: %v", err)
	}
	defer d.Close()
	now := time.Now().UTC()
	closeDue := now.AddDate(0, 0, 14)
	if stage == "closed" {
		closeDue = now
	}
	res := d.Exec(`UPDATE complaints SET stage = ?, answer = 'Sudah kami tindak lanjuti.', verified_at = ?, disposed_at = ?,
		answered_at = ?, answered_in_time = ?, published_at = ?, close_due_at = ?, due_at = ?, updated_at = ? WHERE ticket_id = ?`,
		stage, now, now, now, true, now, closeDue, closeDue, now, ticketID)
	if res.Error != nil || res.RowsAffected != 1 {
		t.Fatalf("apptest: follow-up of ticket %d: %v (%d rows)", ticketID, res.Error, res.RowsAffected)
	}
}
