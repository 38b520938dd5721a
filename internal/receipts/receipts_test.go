package receipts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/receipts"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// TestReceiptBeforeCommitIsAppliedOnceTheReplyExists covers the race the
// reply path allows: the adapter may deliver and report before the reply's
// transaction commits. The receipt must wait for the row, not be lost.
func TestReceiptBeforeCommitIsAppliedOnceTheReplyExists(t *testing.T) {
	d := testenv.DB(t)
	b := testenv.Bus(t)
	log := testenv.Logger(t)
	tickets := ticket.New(ticket.Opts{DB: d, Bus: b, Log: log})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- receipts.Run(ctx, receipts.Opts{Bus: b, Applier: tickets, NotYet: ticket.ErrMessageNotFound, Log: log})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("receipts.Run: %v", err)
		}
	})

	const messageID = 4242
	if err := b.PublishReceipt(ctx, envelope.Receipt{V: 1, Channel: domain.ChannelWebform, MessageID: messageID,
		Status: domain.DeliveryDelivered, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Garbage on the subject is set aside without blocking the rest.
	if err := b.Publish(ctx, b.Names.Receipts(domain.ChannelWebform), "junk", []byte("nope")); err != nil {
		t.Fatal(err)
	}

	now := time.Now().UTC()
	var contactID, ticketID int64
	if err := d.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('A', ?, ?) RETURNING id`, now, now).Scan(&contactID).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at)
		VALUES ('1000-0000-0000-0000', ?, 'webform', 'open', ?, ?, ?) RETURNING id`, contactID, now, now, now).Scan(&ticketID).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec(`INSERT INTO messages (id, ticket_id, direction, channel, provider_message_id, body, delivery_status, created_at, updated_at)
		VALUES (?, ?, 'out', 'webform', 'agent-x', 'balasan', 'queued', ?, ?)`, messageID, ticketID, now, now).Error; err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		var st domain.DeliveryStatus
		if err := d.Raw(`SELECT delivery_status FROM messages WHERE id = ?`, messageID).Scan(&st).Error; err != nil {
			return err
		}
		if st != domain.DeliveryDelivered {
			return fmt.Errorf("delivery status %q", st)
		}
		return nil
	})
}
