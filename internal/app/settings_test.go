package app

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// settingsTTL is routing's confTTL: how long an instance may route on
// cached settings when no notice reaches it.
const settingsTTL = 10 * time.Second

// instance is one instance's routing wired as Start wires it (settings,
// engine, admin), with its own database pool and bus connection, like one
// process of several.
type instance struct {
	name     string
	settings *routing.Settings
	router   *routing.Router
	admin    *routing.Admin
	db       *db.DB
}

var ticketSeq atomic.Int64

// route files a new webform ticket asking for queue want and routes it,
// returning its queue and whether its first-response clock runs.
func (in instance) route(t *testing.T, want string) (queueID int64, clock bool) {
	t.Helper()
	ctx := context.Background()
	err := in.db.Tx(ctx, func(tx *gorm.DB) error {
		now := time.Now().UTC()
		var contact, ticket int64
		if err := tx.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Warga', '', ?, ?) RETURNING id`,
			now, now).Scan(&contact).Error; err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, created_at, updated_at, last_message_at)
VALUES (?, ?, 'webform', '', 'new', 'normal', ?, ?, ?) RETURNING id`, fmt.Sprintf("S-%d", ticketSeq.Add(1)), contact, now, now, now).Scan(&ticket).Error; err != nil {
			return err
		}
		out, err := in.router.RouteNew(ctx, tx, []routing.Ticket{{ID: ticket, Queue: want, Channel: "webform"}})
		if err != nil {
			return err
		}
		queueID = out[0].QueueID
		var running int
		if err := tx.Raw(`SELECT COUNT(*) FROM tickets WHERE id = ? AND first_response_due_at IS NOT NULL`, ticket).Scan(&running).Error; err != nil {
			return err
		}
		clock = running == 1
		return nil
	})
	if err != nil {
		t.Fatalf("%s: route a ticket: %v", in.name, err)
	}
	return queueID, clock
}

// An admin change made through instance A reaches instance B at once,
// through a notice on the bus, without waiting out B's settings TTL: a
// new SLA policy starts B's clocks, and B stops filing tickets into a
// removed queue.
func TestRoutingSettingsReachEveryInstance(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	dbCfg := testenv.DBConfig(t)
	busCfg := testenv.SharedBusConfig(t)
	start := func(name string) instance {
		d := testenv.OpenDB(t, dbCfg)
		s, err := newSettings(ctx, cfg, d, testenv.ConnectBus(t, busCfg), testenv.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		r := routing.New(routing.Opts{DB: d, Settings: s, Log: testenv.Logger(t)})
		return instance{name: name, settings: s, router: r, db: d,
			admin: routing.NewAdmin(routing.AdminOpts{DB: d, Settings: s, Work: r, Log: testenv.Logger(t)})}
	}
	a, b := start("A"), start("B")
	if err := a.settings.EnsureQueues(ctx, queueSpecs(cfg)); err != nil {
		t.Fatal(err)
	}
	jabar, err := a.admin.SaveQueue(ctx, routing.QueueSettings{Code: "jabar", Provinces: []string{"32"}})
	if err != nil {
		t.Fatal(err)
	}
	umum, err := a.settings.QueueFor(ctx, a.db.DB, cfg.DefaultQueue, "")
	if err != nil {
		t.Fatal(err)
	}

	// waitOnB polls B until ok, and fails unless B saw the change before
	// its cache, read at loaded or later, could have expired.
	waitOnB := func(t *testing.T, what string, loaded time.Time, ok func() error) {
		t.Helper()
		testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, ok)
		if waited := time.Since(loaded); waited >= settingsTTL {
			t.Fatalf("%s reached B only after %v: the TTL, not the notice, may have done it", what, waited)
		}
	}

	t.Run("a new SLA policy starts B's clocks", func(t *testing.T) {
		b.settings.DropCachedSettings() // B's cache is read afresh below
		loaded := time.Now()
		if q, clock := b.route(t, "jabar"); q != jabar.ID || clock {
			t.Fatalf("before: B filed in queue %d (clock %v), want %d without a clock", q, clock, jabar.ID)
		}
		jabar.SLA = map[string]routing.SLATargets{"normal": {FirstResponseSeconds: 600}}
		if _, err := a.admin.SaveQueue(ctx, jabar); err != nil {
			t.Fatal(err)
		}
		waitOnB(t, "the SLA policy", loaded, func() error {
			if q, clock := b.route(t, "jabar"); q != jabar.ID || !clock {
				return fmt.Errorf("B filed in queue %d (clock %v), want %d with a clock", q, clock, jabar.ID)
			}
			return nil
		})
	})

	t.Run("B stops filing into a removed queue", func(t *testing.T) {
		b.settings.DropCachedSettings()
		loaded := time.Now()
		if q, _ := b.route(t, "jabar"); q != jabar.ID {
			t.Fatalf("before: B filed in queue %d, want jabar %d", q, jabar.ID)
		}
		// Solved tickets keep jabar's row: it is archived, not deleted.
		if err := a.db.Exec(`UPDATE tickets SET status = 'solved', solved_at = ? WHERE queue_id = ?`, time.Now().UTC(), jabar.ID).Error; err != nil {
			t.Fatal(err)
		}
		removed, err := a.admin.RemoveQueue(ctx, routing.Actor{}, "jabar", "")
		if err != nil {
			t.Fatal(err)
		}
		if !removed.Archived {
			t.Fatalf("removed %+v, want jabar archived", removed)
		}
		waitOnB(t, "the removal", loaded, func() error {
			if q, _ := b.route(t, "jabar"); q != umum {
				return fmt.Errorf("B filed in queue %d, want the default queue %d", q, umum)
			}
			return nil
		})
	})
}
