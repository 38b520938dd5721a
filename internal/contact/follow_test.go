package contact

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// An ingest batch that read an identity's owner just before a merge of
// that owner committed waits for the merge (the contacts' row locks) and
// then files under the surviving contact: the identity it brings is
// attached to the survivor, never to the merged contact. PostgreSQL only:
// on SQLite the batch and the merge cannot overlap (one writer).
func TestResolveFollowsAConcurrentMerge(t *testing.T) {
	d := testenv.DB(t)
	if d.Dialect != db.Postgres {
		t.Skip("SQLite runs one write transaction at a time: a batch and a merge never overlap")
	}
	ctx := context.Background()
	s := New(Opts{DB: d, Log: testenv.Logger(t)})
	// wa is the merged contact's number, own the survivor's e-mail; the
	// batch's sender writes with wa and brings an e-mail.
	follows := func(t *testing.T, wa, own, brings string) {
		survivor := resolve(t, s, d, envelope.Sender{Email: own})[0].ContactID
		merged := resolve(t, s, d, envelope.Sender{WaID: wa, Name: "Warga"})[0].ContactID

		// The merge, as HistoryService.Merge writes it, held open.
		merge := d.Begin()
		defer merge.Rollback()
		if err := merge.Exec(`SELECT id FROM contacts WHERE id IN (?, ?) ORDER BY id FOR UPDATE`, survivor, merged).Error; err != nil {
			t.Fatal(err)
		}
		if err := merge.Exec(`UPDATE contact_identities SET contact_id = ? WHERE contact_id = ?`, survivor, merged).Error; err != nil {
			t.Fatal(err)
		}
		if err := merge.Exec(`UPDATE contacts SET merged_into_id = ? WHERE id = ?`, survivor, merged).Error; err != nil {
			t.Fatal(err)
		}

		type result struct {
			r   Resolved
			err error
		}
		done := make(chan result, 1)
		go func() {
			var out []Resolved
			err := d.Tx(ctx, func(tx *gorm.DB) error {
				var err error
				out, err = s.Resolve(ctx, tx, []envelope.Sender{{WaID: wa, Email: brings}}, time.Now().UTC())
				return err
			})
			var r Resolved
			if len(out) == 1 {
				r = out[0]
			}
			done <- result{r, err}
		}()
		// Wait until the batch waits on the merge's lock.
		deadline := time.Now().Add(20 * time.Second)
		for {
			var waiting int64
			if err := d.Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting).Error; err != nil {
				t.Fatal(err)
			}
			if waiting > 0 {
				break
			}
			select {
			case r := <-done:
				t.Fatalf("the batch finished (%+v) while the merge held the contacts", r)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("the batch never waited for the merge")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := merge.Commit().Error; err != nil {
			t.Fatal(err)
		}
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.r.ContactID != survivor {
			t.Fatalf("batch filed under %d, want the survivor %d (merged: %d)", r.r.ContactID, survivor, merged)
		}
		if got := ownerOf(t, d, KindEmail, brings); got != survivor {
			t.Fatalf("new e-mail attached to %d, want the survivor %d", got, survivor)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM contact_identities WHERE contact_id = ?`, merged); n != 0 {
			t.Fatal(fmt.Sprintf("%d identities on the merged contact", n))
		}
	}
	t.Run("a new e-mail", func(t *testing.T) { follows(t, "+6281277778888", "tetap@example.id", "baru@example.id") })
	// The citizen writes with an identity of each contact: the lookup
	// finds the survivor itself as well as the tombstone, which must still
	// be followed.
	t.Run("the survivor's own e-mail", func(t *testing.T) { follows(t, "+6281277779999", "tetap2@example.id", "tetap2@example.id") })
}
