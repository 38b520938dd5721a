package complaint

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

// FuzzNormalizePIN: a typed PIN is accepted only as exactly PINDigits
// digits (spaces and dashes aside), and FormatPIN of it reads back.
func FuzzNormalizePIN(f *testing.F) {
	for _, s := range []string{"1234-5678", "1234 5678", "12345678", "123456789", "", "١٢٣٤٥٦٧٨", "1234-567x", "--------12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, ok := NormalizePIN(in)
		if !ok {
			return
		}
		if len(d) != PINDigits {
			t.Fatalf("%q -> %q", in, d)
		}
		for _, r := range d {
			if r < '0' || r > '9' {
				t.Fatalf("%q -> %q", in, d)
			}
		}
		if back, ok := NormalizePIN(FormatPIN(d)); !ok || back != d {
			t.Fatalf("format round trip %q -> %q", d, back)
		}
	})
}

// pinTickets is the one ticket read OpenWithPIN makes after a right PIN.
type pinTickets struct {
	Tickets
	tn string
}

func (p pinTickets) PublicByTracking(_ context.Context, tn string) (ticket.Public, error) {
	if tn != p.tn {
		return ticket.Public{}, ticket.ErrNotFound
	}
	return ticket.Public{TrackingNumber: tn}, nil
}

// seedPINComplaint stores one anonymous form complaint with a known PIN:
// a contact, its ticket, the complaint and its intake.
func seedPINComplaint(t testing.TB, d *db.DB, pin string) (tn string) {
	t.Helper()
	tn = tracking.Generate()
	now := time.Now().UTC()
	hash, err := bcrypt.GenerateFromPassword([]byte(pin), 4)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Tx(context.Background(), func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('', ?, ?)`, now, now).Error; err != nil {
			return err
		}
		var cid int64
		if err := tx.Raw(`SELECT MAX(id) FROM contacts`).Scan(&cid).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO tickets (tracking_number, contact_id, channel, category, created_at, updated_at, last_message_at)
			VALUES (?, ?, 'webform', 'pelatihan', ?, ?, ?)`, tn, cid, now, now, now).Error; err != nil {
			return err
		}
		var id int64
		if err := tx.Raw(`SELECT id FROM tickets WHERE tracking_number = ?`, tn).Scan(&id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO complaint_intakes (intake_key, anonymous, pin_hash, visitor_id, created_at) VALUES (?, ?, ?, 'anon-fuzz', ?)`,
			"form-"+tn, true, string(hash), now).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO complaints (ticket_id, intake_key, kind, stage, anonymous, confidential, category, province_code, time_zone,
			received_at, updated_at) VALUES (?, ?, 'pengaduan', 'verification', ?, ?, 'pelatihan', '', 'Asia/Jakarta', ?, ?)`,
			id, "form-"+tn, true, false, now, now).Error
	})
	if err != nil {
		t.Fatalf("seed complaint: %v", err)
	}
	return tn
}

// FuzzOpenWithPIN: any tracking number and PIN a stranger types gets
// ErrNotFound (never another error), except the one right pair, which
// opens its complaint. The database holds an anonymous complaint, so
// inputs near its number reach the PIN comparison itself (the seeds
// include its number with wrong, malformed and spaced PINs).
func FuzzOpenWithPIN(f *testing.F) {
	d := testenv.DB(f)
	const pin = "24681357"
	tn := seedPINComplaint(f, d, pin)
	// The attempt limits are the subject of its own test; here it would only
	// turn the fuzzer's misses into locks.
	s := New(Opts{DB: d, PINCost: 4, PINAttempts: 1 << 30, PINCeiling: 1 << 30, Tickets: pinTickets{tn: tn}})
	ctx := context.Background()
	if p, err := s.OpenWithPIN(ctx, tn, FormatPIN(pin), "192.0.2.1"); err != nil || p.VisitorID != "anon-fuzz" {
		f.Fatalf("the seeded complaint does not open with its PIN: %+v %v", p, err)
	}
	digits := strings.ReplaceAll(tn, "-", "")
	for _, c := range [][2]string{
		{tn, "1234-5678"}, {tn, "2468-1358"}, {digits, pin[:7]}, {" " + tn + " ", "2468 1357 "}, {tn, "２４６８１３５７"},
		{"1234-5678-9012-3456", "1234-5678"}, {"", ""}, {"'; DROP TABLE complaints; --", "00000000"}, {"0000000000000000", "\x00"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, in, typed string) {
		p, err := s.OpenWithPIN(ctx, in, typed, "192.0.2.1")
		n, nerr := tracking.Normalize(in)
		d, ok := NormalizePIN(typed)
		if nerr == nil && ok && n == tn && d == pin {
			if err != nil || p.VisitorID != "anon-fuzz" {
				t.Fatalf("the right pair (%q, %q) = %+v, %v", in, typed, p, err)
			}
			return
		}
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("OpenWithPIN(%q, %q) = %+v, %v, want ErrNotFound", in, typed, p, err)
		}
	})
}
