package routing

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// Environment of the helper process started by
// TestInvariantsAcrossInstancesAndProcesses.
const (
	envHelperDB     = "TANGGAP_ROUTING_HELPER_DB"
	envHelperAgents = "TANGGAP_ROUTING_HELPER_AGENTS"
	envHelperSeed   = "TANGGAP_ROUTING_HELPER_SEED"
)

var mixOpts = testOpts{DefaultQueue: "umum", ChannelCapacity: map[string]int{"voice": 1, "whatsapp": 2, "webform": 3}, DefaultChannelCapacity: 2, ReturnTickets: ReturnActive}

// Two router instances in this process (each its own connection pool)
// and, on PostgreSQL, a second operating-system process, all against one
// database, route, claim, release, transfer, assign, solve and flip
// presence at once on a small pool of agents so they collide constantly.
// Afterwards every agent's overall and per-channel load equals the active
// tickets it holds and never exceeds its capacity: no ticket was counted
// for two agents and no agent went over capacity.
func TestInvariantsAcrossInstancesAndProcesses(t *testing.T) {
	cfg := testenv.DBConfig(t)
	setup := newFixture(t, testenv.OpenDB(t, cfg))
	var agents []int64
	for i := 0; i < 6; i++ {
		agents = append(agents, setup.agent("online", 4, 0, nil, "umum", "kartu"))
	}
	sup := setup.agent("online", 5, 0, nil, "umum")
	base := time.Now().UTC().Add(-time.Hour)
	channels := []string{"voice", "whatsapp", "webform", "livechat"}
	for i := 0; i < 120; i++ {
		id := setup.newTicket(nil, channels[i%len(channels)], "", base.Add(time.Duration(i)*time.Second))
		setup.must(setup.d.Exec(`UPDATE tickets SET queue_id = ?, priority = ? WHERE id = ?`,
			setup.queue([]string{"umum", "kartu"}[i%2]), string(domain.Priorities[i%4]), id).Error)
	}

	ctx := context.Background()
	var helper *exec.Cmd
	var helperOut []byte
	helperDone := make(chan error, 1)
	if testenv.UsingPostgres() {
		ids := ""
		for i, a := range agents {
			if i > 0 {
				ids += ","
			}
			ids += strconv.FormatInt(a, 10)
		}
		helper = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRoutingHelperProcess$", "-test.count=1")
		helper.Env = append(os.Environ(), envHelperDB+"="+cfg.URL, envHelperAgents+"="+ids, envHelperSeed+"=99")
		go func() {
			var err error
			helperOut, err = helper.CombinedOutput()
			helperDone <- err
		}()
	} else {
		helperDone <- nil
	}

	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for inst := 0; inst < 2; inst++ {
		d := testenv.OpenDB(t, cfg)
		o := mixOpts
		o.DB, o.Log = d, testenv.Logger(t)
		r := newParts(o)
		setup.must(r.EnsureQueues(ctx, queueSpecs))
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				errs <- churn(ctx, r, d, seed, 60, agents, sup, setup.contact)
			}(uint64(inst*10 + g))
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if err := <-helperDone; err != nil {
		t.Fatalf("helper process: %v\n%s", err, helperOut)
	}
	checkLoads(t, setup.d, mixOpts)

	// Everyone back online: no ticket may wait while a member has room.
	setup.must(setup.d.Exec(`UPDATE agents SET presence = 'online'`).Error)
	o := mixOpts
	o.DB, o.Log = setup.d, testenv.Logger(t)
	r := newParts(o)
	setup.must(r.EnsureQueues(ctx, queueSpecs))
	setup.must(r.Sweep(ctx, time.Now().UTC()))
	checkLoads(t, setup.d, mixOpts)
	// The rows of connections now closed fold into one without changing
	// any count.
	setup.must(NewMetrics(PartOpts{DB: setup.d, Queues: r}).foldWaitingCounts(ctx))
	checkWaitingCounts(t, setup.d)
}

// TestRoutingHelperProcess is the second process of the test above; it
// does nothing when run on its own.
func TestRoutingHelperProcess(t *testing.T) {
	url := os.Getenv(envHelperDB)
	if url == "" {
		t.Skip("runs only as the helper process of TestInvariantsAcrossInstancesAndProcesses")
	}
	d, err := db.Open(context.Background(), db.Config{URL: url, MaxOpenConns: 4}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var agents []int64
	for _, s := range splitList(os.Getenv(envHelperAgents)) {
		id, _ := strconv.ParseInt(s, 10, 64)
		agents = append(agents, id)
	}
	seed, _ := strconv.Atoi(os.Getenv(envHelperSeed))
	o := mixOpts
	o.DB, o.Log = d, testenv.Logger(t)
	r := newParts(o)
	if err := r.EnsureQueues(context.Background(), queueSpecs); err != nil {
		t.Fatal(err)
	}
	var contact int64
	if err := d.Raw(`SELECT MIN(id) FROM contacts`).Scan(&contact).Error; err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(s uint64) {
			defer wg.Done()
			errs <- churn(context.Background(), r, d, s, 60, agents, agents[0], contact)
		}(uint64(seed + g))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// churn runs random routing operations. Refusals the rules allow (no
// capacity, already taken, not yours) are expected; any other error fails.
func churn(ctx context.Context, r *parts, d *db.DB, seed uint64, n int, agents []int64, sup, contact int64) error {
	rng := rand.New(rand.NewPCG(seed, 42))
	channels := []string{"voice", "whatsapp", "webform", "livechat"}
	pickTicket := func(cond string) (int64, error) {
		var ids []int64
		err := d.Raw(`SELECT id FROM tickets WHERE ` + cond + ` ORDER BY id`).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[rng.IntN(len(ids))], nil
	}
	expected := func(err error) bool {
		return err == nil || errors.Is(err, ErrNoCapacity) || errors.Is(err, ErrConflict) || errors.Is(err, ErrForbidden) || errors.Is(err, ErrInvalid)
	}
	for i := 0; i < n; i++ {
		agent := agents[rng.IntN(len(agents))]
		var err error
		op := rng.IntN(9)
		switch op {
		case 0: // a new ticket arrives
			err = d.Tx(ctx, func(tx *gorm.DB) error {
				now := time.Now().UTC()
				var id int64
				if err := tx.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at)
VALUES (?, ?, ?, 'new', ?, ?, ?) RETURNING id`, fmt.Sprintf("C%d-%d-%d", seed, i, rng.Int()), contact, channels[rng.IntN(4)], now, now, now).Scan(&id).Error; err != nil {
					return err
				}
				_, err := r.RouteNew(ctx, tx, []Ticket{{ID: id, Category: []string{"", "kartu"}[rng.IntN(2)]}})
				return err
			})
			if db.IsRetryable(err) {
				err = nil // the caller's transaction (ingest) retries it
			}
		case 1: // an agent solves a ticket, then takes waiting ones
			var id int64
			if id, err = pickTicket(fmt.Sprintf("assignee_id = %d AND status IN ('new', 'open', 'pending')", agent)); err == nil && id != 0 {
				err = d.Tx(ctx, func(tx *gorm.DB) error {
					// As the ticket service does: the ticket first, then the load.
					if _, err := lockTicket(tx, d.Dialect, id); err != nil {
						return err
					}
					if err := r.Release(ctx, tx, id); err != nil {
						return err
					}
					res := tx.Exec(`UPDATE tickets SET status = 'solved', solved_at = ? WHERE id = ? AND assignee_id = ? AND status IN ('new', 'open', 'pending')`, time.Now().UTC(), id, agent)
					if res.Error == nil && res.RowsAffected == 0 {
						return errTaken // moved meanwhile: roll the release back
					}
					return res.Error
				})
				if errors.Is(err, errTaken) || db.IsRetryable(err) {
					err = nil
				}
				if err == nil {
					_, err = r.AssignWaiting(ctx, agent)
				}
			}
		case 2:
			_, err = r.AssignWaiting(ctx, agent)
		case 3:
			var id int64
			if id, err = pickTicket("assignee_id IS NULL AND status IN ('new', 'open', 'pending')"); err == nil && id != 0 {
				err = r.Claim(ctx, Actor{ID: agent}, id)
			}
		case 4:
			var id int64
			if id, err = pickTicket(fmt.Sprintf("assignee_id = %d AND status IN ('new', 'open', 'pending')", agent)); err == nil && id != 0 {
				err = r.Unclaim(ctx, Actor{ID: agent}, id, "")
			}
		case 5:
			var id int64
			if id, err = pickTicket(fmt.Sprintf("assignee_id = %d AND status IN ('new', 'open', 'pending')", agent)); err == nil && id != 0 {
				err = r.Transfer(ctx, Actor{ID: agent}, id, Target{AgentID: agents[rng.IntN(len(agents))]}, "")
			}
		case 6:
			var id int64
			if id, err = pickTicket("status IN ('new', 'open', 'pending')"); err == nil && id != 0 {
				err = r.Assign(ctx, Actor{ID: sup, Supervisor: true}, id, agent)
			}
		case 7: // presence flaps
			p := []domain.Presence{domain.PresenceOffline, domain.PresenceOnline, domain.PresenceAway}[rng.IntN(3)]
			// The presence statement is the caller's (the agent service);
			// a deadlock victim there is the caller's to retry.
			if err = d.Exec(`UPDATE agents SET presence = ? WHERE id = ?`, p, agent).Error; db.IsRetryable(err) {
				err = nil
			} else if err == nil {
				err = r.PresenceChanged(ctx, agent, p)
			}
		case 8:
			var id int64
			if id, err = pickTicket("assignee_id IS NULL AND status IN ('new', 'open', 'pending')"); err == nil && id != 0 {
				_, err = r.Offer(ctx, id, 0)
			}
		}
		if !expected(err) {
			return fmt.Errorf("churn %d step %d (op %d): %w", seed, i, op, err)
		}
	}
	return nil
}

// checkLoads compares every stored load with the tickets it counts and
// with the capacity in force (a channel row without its own: o's default).
func checkLoads(t *testing.T, d *db.DB, o testOpts) {
	t.Helper()
	var rows []struct {
		ID, Capacity, ActiveLoad, Active int64
	}
	if err := d.Raw(`SELECT a.id, a.capacity, a.active_load,
  (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id AND t.status IN ('new', 'open', 'pending')) AS active
FROM agents a ORDER BY a.id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ActiveLoad != r.Active || r.ActiveLoad > r.Capacity {
			t.Errorf("agent %d: load %d, %d active tickets, capacity %d", r.ID, r.ActiveLoad, r.Active, r.Capacity)
			// Each active ticket's history, to find the path that lost count.
			var dbg []struct {
				ID      int64
				Channel string
				Status  domain.TicketStatus
			}
			d.Raw(`SELECT id, channel, status FROM tickets WHERE assignee_id = ? AND status IN ('new','open','pending')`, r.ID).Scan(&dbg)
			for _, x := range dbg {
				var au []struct {
					AgentID *int64
					Action  string
					Detail  string
				}
				d.Raw(`SELECT agent_id, action, detail FROM audit_log WHERE ticket_id = ? ORDER BY id`, x.ID).Scan(&au)
				t.Logf("  its ticket %d (%s, %s), audit %+v", x.ID, x.Channel, x.Status, au)
			}
		}
	}
	var ch []struct {
		AgentID  int64
		Channel  string
		Capacity *int64 // NULL: the channel's default
		Load, N  int64
	}
	if err := d.Raw(`SELECT l.agent_id, l.channel, l.capacity, l.active_load AS load,
  (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = l.agent_id AND t.channel = l.channel AND t.status IN ('new', 'open', 'pending')) AS n
FROM agent_channel_loads l ORDER BY l.agent_id, l.channel`).Scan(&ch).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range ch {
		capacity := int64(o.DefaultChannelCapacity)
		if n, ok := o.ChannelCapacity[c.Channel]; ok {
			capacity = int64(n)
		}
		if c.Capacity != nil {
			capacity = *c.Capacity
		}
		if c.Load != c.N || c.Load > capacity {
			t.Errorf("agent %d %s: load %d, %d active tickets, capacity %d", c.AgentID, c.Channel, c.Load, c.N, capacity)
		}
	}
	var missing int64
	if err := d.Raw(`SELECT COUNT(*) FROM tickets t WHERE t.assignee_id IS NOT NULL AND t.status IN ('new', 'open', 'pending')
  AND NOT EXISTS (SELECT 1 FROM agent_channel_loads l WHERE l.agent_id = t.assignee_id AND l.channel = t.channel)`).Scan(&missing).Error; err != nil {
		t.Fatal(err)
	}
	if missing > 0 {
		t.Errorf("%d assigned tickets not counted on any channel load", missing)
	}
	checkWaitingCounts(t, d)
}

// checkWaitingCounts compares the trigger-kept waiting count of every
// queue with the waiting tickets it counts.
func checkWaitingCounts(t *testing.T, d *db.DB) {
	t.Helper()
	var rows []struct {
		ID, Kept, Counted int64
	}
	if err := d.Raw(`SELECT q.id,
  CAST(COALESCE((SELECT SUM(c.n) FROM queue_waiting_counts c WHERE c.queue_id = q.id), 0) AS BIGINT) AS kept,
  (SELECT COUNT(*) FROM tickets t WHERE t.queue_id = q.id AND t.assignee_id IS NULL AND t.status IN ('new', 'open', 'pending')) AS counted
FROM queues q ORDER BY q.id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Kept != r.Counted {
			t.Errorf("queue %d: waiting count %d, %d waiting tickets", r.ID, r.Kept, r.Counted)
		}
	}
}
