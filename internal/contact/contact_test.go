package contact

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// Valid NIKs: Jawa Barat (32) and DKI Jakarta (31).
const (
	nikJabar = "3201012503900001"
	nikDKI   = "3171014408850003"
)

func resolve(t *testing.T, s *Service, d *db.DB, senders ...envelope.Sender) []Resolved {
	t.Helper()
	var out []Resolved
	err := d.Tx(context.Background(), func(tx *gorm.DB) error {
		var err error
		out, err = s.Resolve(context.Background(), tx, senders, time.Now().UTC())
		return err
	})
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	return out
}

func count(t *testing.T, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func ownerOf(t *testing.T, d *db.DB, kind, value string) int64 {
	t.Helper()
	var ids []int64
	if err := d.Raw(`SELECT contact_id FROM contact_identities WHERE kind = ? AND value = ?`, kind, value).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("identity %s has %d owners, want 1", kind, len(ids))
	}
	return ids[0]
}

func TestResolve(t *testing.T) {
	cases := []struct {
		name string
		// before runs first, each inner slice is one batch.
		before [][]envelope.Sender
		batch  []envelope.Sender
		check  func(t *testing.T, d *db.DB, before [][]Resolved, got []Resolved)
	}{{
		name:  "new webform citizen gets a contact with every identity, name and NIK province",
		batch: []envelope.Sender{{Name: "Budi", Phone: "+6281234567890", Email: "budi@example.id", NIK: nikJabar}},
		check: func(t *testing.T, d *db.DB, _ [][]Resolved, got []Resolved) {
			if !got[0].Created || got[0].ProvinceCode != "32" {
				t.Fatalf("got %+v, want created with province 32", got[0])
			}
			c, err := New(Opts{DB: d}).Get(context.Background(), got[0].ContactID)
			if err != nil || c.Name != "Budi" || c.ProvinceCode != "32" {
				t.Fatalf("stored contact %+v, %v", c, err)
			}
			ids, err := New(Opts{DB: d}).Identities(context.Background(), got[0].ContactID)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{KindNIK, KindPhone, KindEmail}
			if len(ids) != len(want) {
				t.Fatalf("identities %+v, want kinds %v", ids, want)
			}
			for i, k := range want {
				if ids[i].Kind != k {
					t.Fatalf("identity %d kind %q, want %q (strongest first)", i, ids[i].Kind, k)
				}
			}
		},
	}, {
		name:   "WhatsApp wa_id meets the phone number given on the web form",
		before: [][]envelope.Sender{{{Name: "Siti", Phone: "+6281111111111"}}},
		batch:  []envelope.Sender{{Name: "Siti WA", WaID: "+6281111111111"}},
		check: func(t *testing.T, d *db.DB, before [][]Resolved, got []Resolved) {
			if got[0].ContactID != before[0][0].ContactID || got[0].Created {
				t.Fatalf("wa_id resolved to %+v, want contact %d", got[0], before[0][0].ContactID)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM contact_identities WHERE kind = 'wa_id'`); n != 0 {
				t.Fatalf("%d wa_id identities stored, want them stored as phone", n)
			}
			c, _ := New(Opts{DB: d}).Get(context.Background(), got[0].ContactID)
			if c.Name != "Siti" {
				t.Fatalf("name %q overwritten, want the first one kept", c.Name)
			}
		},
	}, {
		name: "NIK beats phone when they point to different contacts, no merge, missing email attached to the winner",
		before: [][]envelope.Sender{
			{{Phone: "+6282222222222"}},
			{{NIK: nikDKI, Email: "old@example.id"}},
		},
		batch: []envelope.Sender{{NIK: nikDKI, Phone: "+6282222222222", Email: "new@example.id"}},
		check: func(t *testing.T, d *db.DB, before [][]Resolved, got []Resolved) {
			byPhone, byNIK := before[0][0].ContactID, before[1][0].ContactID
			if got[0].ContactID != byNIK {
				t.Fatalf("resolved to %d, want the NIK's contact %d", got[0].ContactID, byNIK)
			}
			if ownerOf(t, d, KindPhone, "+6282222222222") != byPhone {
				t.Fatal("phone moved to the NIK contact: contacts must not be merged automatically")
			}
			if ownerOf(t, d, KindEmail, "new@example.id") != byNIK {
				t.Fatal("new email not attached to the chosen contact")
			}
			if n := count(t, d, `SELECT COUNT(*) FROM contacts`); n != 2 {
				t.Fatalf("%d contacts, want 2", n)
			}
		},
	}, {
		name: "phone beats email, email beats visitor",
		before: [][]envelope.Sender{
			{{VisitorID: "v-1"}},
			{{Email: "a@example.id"}},
			{{Phone: "+6283333333333"}},
		},
		batch: []envelope.Sender{
			{VisitorID: "v-1", Email: "a@example.id"},
			{Email: "a@example.id", Phone: "+6283333333333"},
		},
		check: func(t *testing.T, d *db.DB, before [][]Resolved, got []Resolved) {
			if got[0].ContactID != before[1][0].ContactID {
				t.Fatal("email did not beat visitor")
			}
			if got[1].ContactID != before[2][0].ContactID {
				t.Fatal("phone did not beat email")
			}
		},
	}, {
		name: "senders of one batch sharing identities get one new contact",
		batch: []envelope.Sender{
			{Phone: "+6284444444444"},
			{Phone: "+6284444444444", Email: "x@example.id", Name: "Ani"},
			{Email: "x@example.id", NIK: nikJabar},
			{Phone: "+6285555555555"},
		},
		check: func(t *testing.T, d *db.DB, _ [][]Resolved, got []Resolved) {
			if got[0].ContactID != got[1].ContactID || got[1].ContactID != got[2].ContactID {
				t.Fatalf("chained senders resolved to %d, %d, %d", got[0].ContactID, got[1].ContactID, got[2].ContactID)
			}
			if got[3].ContactID == got[0].ContactID {
				t.Fatal("unrelated sender shares the contact")
			}
			if n := count(t, d, `SELECT COUNT(*) FROM contacts`); n != 2 {
				t.Fatalf("%d contacts, want 2", n)
			}
			c, _ := New(Opts{DB: d}).Get(context.Background(), got[0].ContactID)
			if c.Name != "Ani" || c.ProvinceCode != "32" {
				t.Fatalf("contact %+v, want the later sender's name and NIK province filled in", c)
			}
		},
	}, {
		name:   "empty name and province of an existing contact are filled, invalid NIK gives no province",
		before: [][]envelope.Sender{{{Phone: "+6286666666666"}}, {{Phone: "+6287777777777", NIK: "9999999999999999"}}},
		batch:  []envelope.Sender{{Phone: "+6286666666666", Name: "Dewi", NIK: nikDKI}, {Phone: "+6287777777777", Name: "Eko"}},
		check: func(t *testing.T, d *db.DB, before [][]Resolved, got []Resolved) {
			s := New(Opts{DB: d})
			c, _ := s.Get(context.Background(), before[0][0].ContactID)
			if c.Name != "Dewi" || c.ProvinceCode != "31" || got[0].ProvinceCode != "31" {
				t.Fatalf("contact %+v (resolved %+v), want name Dewi and province 31", c, got[0])
			}
			c, _ = s.Get(context.Background(), before[1][0].ContactID)
			if c.Name != "Eko" || c.ProvinceCode != "" {
				t.Fatalf("contact %+v, want name Eko and no province from an invalid NIK", c)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := testenv.DB(t)
			s := New(Opts{DB: d, Log: testenv.Logger(t)})
			var before [][]Resolved
			for _, b := range tc.before {
				before = append(before, resolve(t, s, d, b...))
			}
			got := resolve(t, s, d, tc.batch...)
			if len(got) != len(tc.batch) {
				t.Fatalf("%d results for %d senders", len(got), len(tc.batch))
			}
			tc.check(t, d, before, got)
		})
	}
}

func TestResolveManyNewContactsFillsEveryID(t *testing.T) {
	d := testenv.DB(t)
	s := New(Opts{DB: d})
	const n = 1200
	senders := make([]envelope.Sender, n)
	for i := range senders {
		// Every third name repeats, so content matching of RETURNING rows
		// is exercised with interchangeable rows.
		senders[i] = envelope.Sender{Name: fmt.Sprintf("Warga %d", i%(n/3)), Phone: fmt.Sprintf("+62812%08d", i)}
	}
	got := resolve(t, s, d, senders...)
	seen := map[int64]bool{}
	for i, r := range got {
		if r.ContactID <= 0 || seen[r.ContactID] {
			t.Fatalf("sender %d: id %d is zero or repeated", i, r.ContactID)
		}
		seen[r.ContactID] = true
		if ownerOf(t, d, KindPhone, senders[i].Phone) != r.ContactID {
			t.Fatalf("sender %d: phone stored on another contact", i)
		}
		if i%97 == 0 {
			c, err := s.Get(context.Background(), r.ContactID)
			if err != nil || c.Name != senders[i].Name {
				t.Fatalf("sender %d: contact %+v, %v, want name %q", i, c, err, senders[i].Name)
			}
		}
	}
}

func TestGetUnknownContact(t *testing.T) {
	d := testenv.DB(t)
	_, err := New(Opts{DB: d}).Get(context.Background(), 424242)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestResolveRejectsSenderWithoutIdentity(t *testing.T) {
	d := testenv.DB(t)
	err := d.Tx(context.Background(), func(tx *gorm.DB) error {
		_, err := New(Opts{DB: d}).ResolveBatch(context.Background(), tx, []envelope.Sender{{Name: "Tanpa"}}, time.Now())
		return err
	})
	if !errors.Is(err, ErrNoIdentity) {
		t.Fatalf("err = %v, want ErrNoIdentity", err)
	}
}

// A concurrent instance commits the same new identity between our lookup
// and our insert. The hook plays that instance inside our transaction
// (SQLite has a single writer, so this is the only way to reach the path
// there); TestResolveConcurrentInstancesPostgres does it for real.
func TestResolveLosesIdentityRace(t *testing.T) {
	cases := []struct {
		name       string
		sender     envelope.Sender
		rival      ident
		wantRival  bool // sender ends on the rival's contact
		wantEmailN int64
	}{
		{name: "strongest identity lost: adopt the winner, move the rest, delete ours",
			sender: envelope.Sender{Name: "Rudi", Phone: "+6288888888888", Email: "rudi@example.id"},
			rival:  ident{KindPhone, "+6288888888888"}, wantRival: true},
		{name: "weaker identity lost: keep our contact, the email stays the rival's",
			sender: envelope.Sender{Name: "Rudi", Phone: "+6288888888888", Email: "rudi@example.id"},
			rival:  ident{KindEmail, "rudi@example.id"}, wantRival: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := testenv.DB(t)
			s := New(Opts{DB: d})
			var rivalID int64
			s.beforeIdentityInsert = func(tx *gorm.DB) error {
				now := time.Now().UTC()
				if err := tx.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('', '', ?, ?) RETURNING id`, now, now).Scan(&rivalID).Error; err != nil {
					return err
				}
				return tx.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, ?, ?, ?)`, rivalID, tc.rival.kind, tc.rival.value, now).Error
			}
			got := resolve(t, s, d, tc.sender)[0]
			if (got.ContactID == rivalID) != tc.wantRival {
				t.Fatalf("resolved to %d (rival %d), want on rival = %v", got.ContactID, rivalID, tc.wantRival)
			}
			if tc.wantRival {
				if got.Created {
					t.Fatal("Created reported for an adopted contact")
				}
				if n := count(t, d, `SELECT COUNT(*) FROM contacts`); n != 1 {
					t.Fatalf("%d contacts, want the one created in vain deleted", n)
				}
				if ownerOf(t, d, KindEmail, "rudi@example.id") != rivalID {
					t.Fatal("email not moved to the winner")
				}
				c, _ := s.Get(context.Background(), rivalID)
				if c.Name != "Rudi" {
					t.Fatalf("winner name %q, want the empty name filled", c.Name)
				}
				return
			}
			if ownerOf(t, d, KindEmail, "rudi@example.id") != rivalID || ownerOf(t, d, KindPhone, "+6288888888888") != got.ContactID {
				t.Fatal("identities not where expected")
			}
		})
	}
}

// Two instances (own pools) resolve the same new citizens at the same time
// on PostgreSQL: the second blocks on the first's uncommitted identity and
// must end on the first's contact, leaving no orphan contact behind.
func TestResolveConcurrentInstancesPostgres(t *testing.T) {
	if !testenv.UsingPostgres() {
		t.Skip("SQLite serializes writers: the race cannot happen there (TestResolveLosesIdentityRace covers the path)")
	}
	cfg := testenv.DBConfig(t)
	a, b := testenv.OpenDB(t, cfg), testenv.OpenDB(t, cfg)
	sa, sb := New(Opts{DB: a}), New(Opts{DB: b})
	ctx := context.Background()
	senders := []envelope.Sender{{Name: "Joko", Phone: "+6289999999999", Email: "joko@example.id"}, {Phone: "+6281010101010"}}

	txA := a.WithContext(ctx).Begin()
	if txA.Error != nil {
		t.Fatal(txA.Error)
	}
	// Runs before the pools close: a failed wait below must not leave B
	// blocked on A's locks while its pool waits for it.
	t.Cleanup(func() { txA.Rollback() })
	var pidA int64
	if err := txA.Raw(`SELECT pg_backend_pid()`).Scan(&pidA).Error; err != nil {
		t.Fatal(err)
	}
	gotA, err := sa.Resolve(ctx, txA, senders, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		gotB []Resolved
		errB error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		errB = b.Tx(ctx, func(tx *gorm.DB) error {
			gotB, errB = sb.Resolve(ctx, tx, senders, time.Now().UTC())
			return errB
		})
	}()
	// Wait until B is blocked by A itself (other packages' sessions on the
	// same server may wait on locks too), then commit A.
	testenv.CheckFor(t, 30*time.Second, 5*time.Millisecond, func() error {
		n := count(t, a, `SELECT COUNT(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))`, pidA)
		if n == 0 {
			return errors.New("second instance not yet waiting on the first's identity rows")
		}
		return nil
	})
	if err := txA.Commit().Error; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if errB != nil {
		t.Fatal(errB)
	}
	for i := range senders {
		if gotA[i].ContactID != gotB[i].ContactID {
			t.Fatalf("sender %d: instance A %d, instance B %d", i, gotA[i].ContactID, gotB[i].ContactID)
		}
	}
	if n := count(t, a, `SELECT COUNT(*) FROM contacts`); n != 2 {
		t.Fatalf("%d contacts, want 2 (B's contacts created in vain deleted)", n)
	}
}
