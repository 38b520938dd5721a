package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/bus"
	"tanggap/internal/sla"
	"tanggap/internal/ticket"
)

func TestSLAClockOnTickets(t *testing.T) {
	ctx := context.Background()
	f, ev := newRouterFixture(t, testOpts{})
	f.saveQueue(QueueSettings{Code: "umum", SLA: map[string]SLATargets{
		"normal": {FirstResponseSeconds: 600, ResolutionSeconds: 3600},
		"high":   {FirstResponseSeconds: 60},
	}})
	sup := f.agent("offline", 5, 0, nil, "umum")
	f.must(f.d.Exec(`UPDATE agents SET role = 'supervisor' WHERE id = ?`, sup).Error)
	start := time.Now().UTC()
	a := f.route(Ticket{})
	clock, err := f.clocks().SLA(ctx, a.TicketID, start)
	f.must(err)
	if clock.FirstResponseDueAt == nil || clock.ResolutionDueAt == nil {
		t.Fatalf("no due times on a routed ticket: %+v", clock)
	}
	if d := clock.FirstResponseDueAt.Sub(start); d < 590*time.Second || d > 610*time.Second {
		t.Fatalf("first response due in %s, want 10 minutes (always-open queue)", d)
	}
	if clock.FirstResponse != sla.StateOK {
		t.Fatalf("state %q", clock.FirstResponse)
	}
	due := *clock.FirstResponseDueAt

	// Warning inside the last fifth, once, even with two sweeps.
	f.must(f.clocks().CheckSLA(ctx, due.Add(-90*time.Second)))
	f.must(f.clocks().CheckSLA(ctx, due.Add(-80*time.Second)))
	if n := ev.count("sla.warning"); n != 1 {
		t.Fatalf("%d warnings, want 1", n)
	}
	// Pending pauses the clock for 5 minutes; resuming moves the due time.
	pausedAt := due.Add(-60 * time.Second)
	f.must(f.d.Tx(ctx, func(tx *gorm.DB) error {
		f.must(tx.Exec(`UPDATE tickets SET status = 'pending' WHERE id = ?`, a.TicketID).Error)
		return f.clocks().StatusChanged(ctx, tx, a.TicketID, "new", "pending", pausedAt)
	}))
	f.must(f.clocks().CheckSLA(ctx, due.Add(time.Minute)))
	if ev.count("sla.breached") != 0 {
		t.Fatal("a paused clock breached")
	}
	paused, err := f.clocks().SLA(ctx, a.TicketID, due.Add(time.Minute))
	f.must(err)
	if !paused.Paused || paused.FirstResponse != sla.StatePaused {
		t.Fatalf("while pending: %+v", paused)
	}
	f.must(f.d.Tx(ctx, func(tx *gorm.DB) error {
		f.must(tx.Exec(`UPDATE tickets SET status = 'open' WHERE id = ?`, a.TicketID).Error)
		return f.clocks().StatusChanged(ctx, tx, a.TicketID, "pending", "open", pausedAt.Add(5*time.Minute))
	}))
	resumed, err := f.clocks().SLA(ctx, a.TicketID, pausedAt.Add(5*time.Minute))
	f.must(err)
	if !resumed.FirstResponseDueAt.Equal(due.Add(5*time.Minute)) || resumed.Paused {
		t.Fatalf("resumed due %s, want %s", resumed.FirstResponseDueAt, due.Add(5*time.Minute))
	}

	// Breach: escalated one step, supervisors of the queue named, once.
	late := resumed.FirstResponseDueAt.Add(time.Second)
	f.must(f.clocks().CheckSLA(ctx, late))
	f.must(f.clocks().CheckSLA(ctx, late.Add(time.Second)))
	if n := ev.count("sla.breached"); n != 1 {
		t.Fatalf("%d breach events, want 1", n)
	}
	var breach bus.SLA
	for _, e := range ev.sla {
		if e.Target == sla.FirstResponse && e.SupervisorIDs != nil {
			breach = e
		}
	}
	if breach.Priority != "high" || len(breach.SupervisorIDs) != 1 || breach.SupervisorIDs[0] != sup {
		t.Fatalf("breach event %+v, want priority high and supervisor %d", breach, sup)
	}
	after, err := f.clocks().SLA(ctx, a.TicketID, late)
	f.must(err)
	if after.Priority != "high" || len(after.Breached) != 1 || after.FirstResponse != sla.StateBreached {
		t.Fatalf("after breach: %+v", after)
	}

	// % within SLA: one breached, one fine.
	f.route(Ticket{})
	rep, err := f.clocks().SLAReport(ctx, start.Add(-time.Minute))
	f.must(err)
	if len(rep) != 1 || rep[0].Tickets != 2 || rep[0].Within != 1 || rep[0].Percent != 50 {
		t.Fatalf("report %+v", rep)
	}
}

func TestOpenUsesBusinessHours(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	f.saveQueue(QueueSettings{Code: "kartu", TimeZone: "WIT", Hours: map[string][]string{"mon": {"08:00-12:00"}}})
	f.must(f.r.SetHolidays(ctx, 2026, []Holiday{{Day: "2026-08-17", Name: "Hari Kemerdekaan"}}))
	wit := time.FixedZone("WIT", 9*3600)
	cases := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"Monday morning in Jayapura", time.Date(2026, 8, 10, 9, 0, 0, 0, wit), true},
		{"Monday 09:00 in Jakarta is 11:00 in Jayapura", time.Date(2026, 8, 10, 2, 0, 0, 0, time.UTC), true},
		{"Monday afternoon", time.Date(2026, 8, 10, 13, 0, 0, 0, wit), false},
		{"Independence Day", time.Date(2026, 8, 17, 9, 0, 0, 0, wit), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.r.IsOpen(ctx, "kartu", tc.at)
			f.must(err)
			if got != tc.want {
				t.Fatalf("Open = %v, want %v", got, tc.want)
			}
		})
	}
	if ok, _ := f.r.IsOpen(ctx, "umum", time.Now()); !ok {
		t.Fatal("a queue without hours is closed")
	}
}

func TestSeedAndSettingsValidation(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	seed, err := LoadSeed("seed/demo.yaml")
	f.must(err)
	agent := f.agent("offline", 5, 0, nil)
	f.must(f.d.Exec(`UPDATE agents SET email = 'sari@tanggap.example' WHERE id = ?`, agent).Error)
	f.must(f.r.ApplySeed(ctx, seed))
	f.must(f.r.ApplySeed(ctx, seed)) // safe on every start
	qs, err := f.r.Queues(ctx)
	f.must(err)
	byCode := map[string]QueueSettings{}
	for _, q := range qs {
		byCode[q.Code] = q
	}
	if j := byCode["jabar"]; j.OverflowQueue != "umum" || j.Strategy != StrategyRoundRobin || len(j.Hours["mon"]) != 1 || j.SLA["high"].FirstResponseSeconds != 3600 {
		t.Fatalf("jabar queue %+v", j)
	}
	if tm := byCode["timur"]; tm.TimeZone != "WITA" || len(tm.Hours["mon"]) != 3 {
		t.Fatalf("timur queue %+v", tm)
	}
	p, err := f.r.Agent(ctx, agent)
	f.must(err)
	if len(p.Queues) != 2 || p.Skills["keuangan"] != 2 || p.ChannelCapacity["whatsapp"] != 4 {
		t.Fatalf("seeded profile %+v", p)
	}
	h, err := f.r.Holidays(ctx, 2026)
	f.must(err)
	if len(h) < 20 {
		t.Fatalf("%d holidays in 2026", len(h))
	}

	bad := []struct {
		name string
		q    QueueSettings
	}{
		{"unknown strategy", QueueSettings{Code: "x", Strategy: "random"}},
		{"skills strategy without skills", QueueSettings{Code: "x", Strategy: StrategySkills}},
		{"bad zone", QueueSettings{Code: "x", TimeZone: "Mars"}},
		{"bad hours", QueueSettings{Code: "x", Hours: map[string][]string{"mon": {"17:00-08:00"}}}},
		{"province not two digits", QueueSettings{Code: "x", Provinces: []string{"Jawa"}}},
		{"overflow into itself", QueueSettings{Code: "x", OverflowQueue: "x"}},
		{"overflow into nothing", QueueSettings{Code: "x", OverflowQueue: "nope"}},
		{"SLA for an unknown priority", QueueSettings{Code: "x", SLA: map[string]SLATargets{"asap": {}}}},
		{"code with a space", QueueSettings{Code: "a b"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.r.SaveQueue(ctx, tc.q); !errorsIs(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if err := f.r.SetHolidays(ctx, 2026, []Holiday{{Day: "2027-01-01", Name: "x"}}); !errorsIs(err, ErrInvalid) {
		t.Fatalf("holiday outside the year: err = %v", err)
	}
	if err := f.r.SetAgent(ctx, agent, AgentSettings{Skills: map[string]int{"x": 9}}); !errorsIs(err, ErrInvalid) {
		t.Fatalf("skill level 9: err = %v", err)
	}
	if err := f.r.SetAgent(ctx, agent, AgentSettings{Queues: []string{"nope"}}); !errorsIs(err, ErrInvalid) {
		t.Fatalf("unknown queue: err = %v", err)
	}
	if p2, _ := f.r.Agent(ctx, agent); len(p2.Queues) != 2 {
		t.Fatalf("a refused change half-applied: %+v", p2)
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestLateFirstResponseBetweenSweepsIsABreach(t *testing.T) {
	ctx := context.Background()
	f, ev := newRouterFixture(t, testOpts{})
	f.saveQueue(QueueSettings{Code: "umum", SLA: map[string]SLATargets{"normal": {FirstResponseSeconds: 60}}})
	start := time.Now().UTC()
	a := f.route(Ticket{})
	clock, err := f.clocks().SLA(ctx, a.TicketID, start)
	f.must(err)
	late := clock.FirstResponseDueAt.Add(time.Minute)
	// Answered late, before any sweep saw the due time pass.
	f.must(f.d.Exec(`UPDATE tickets SET first_response_at = ?, status = 'open' WHERE id = ?`, late, a.TicketID).Error)
	rep, err := f.clocks().SLAReport(ctx, start.Add(-time.Minute))
	f.must(err)
	if len(rep) != 1 || rep[0].Within != 0 {
		t.Fatalf("report %+v: a late first response is not within SLA", rep)
	}
	f.must(f.clocks().CheckSLA(ctx, late.Add(time.Minute)))
	if ev.count("sla.breached") != 1 {
		t.Fatalf("events %v, want one breach", ev.got)
	}
	after, err := f.clocks().SLA(ctx, a.TicketID, late)
	f.must(err)
	if after.FirstResponse != "breached" {
		t.Fatalf("state %q", after.FirstResponse)
	}
}

func TestParseSeedRefusesMistakes(t *testing.T) {
	cases := []struct {
		name, yaml string
	}{
		{"unknown field", "queues:\n  - code: umum\n    hourz: {}\n"},
		{"bad strategy", "queues:\n  - code: umum\n    strategy: random\n"},
		{"rule without condition", "priority_rules:\n  - priority: urgent\n"},
		{"rule with an unknown priority", "priority_rules:\n  - keyword: x\n    priority: asap\n"},
		{"not YAML", "queues: [\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSeed([]byte(tc.yaml)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if s, err := ParseSeed(nil); err != nil || len(s.Queues) != 0 {
		t.Fatalf("an empty seed: %+v %v", s, err)
	}
}

func FuzzParseSeed(f *testing.F) {
	f.Add([]byte("queues:\n  - code: umum\n    hours: {mon: [\"08:00-12:00\"]}\n    sla: {normal: {first_response_seconds: 60}}\n"))
	f.Add([]byte(`{"holidays": [{"day": "2026-08-17", "name": "x"}], "priority_rules": [{"keyword": "a", "priority": "high"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSeed(b)
		if err != nil {
			return
		}
		for _, q := range s.Queues {
			if err := q.validate(); err != nil {
				t.Fatalf("accepted an invalid queue: %v", err)
			}
		}
	})
}

func TestNextResponseClock(t *testing.T) {
	ctx := context.Background()
	f, ev := newRouterFixture(t, testOpts{})
	// A breach escalates the priority: the next round runs on the "high" policy.
	f.saveQueue(QueueSettings{Code: "umum", SLA: map[string]SLATargets{"normal": {NextResponseSeconds: 600}, "high": {NextResponseSeconds: 600}}})
	a := f.route(Ticket{})
	now := time.Now().UTC().Truncate(time.Second)
	wrote := func(at time.Time) {
		f.must(f.d.Tx(ctx, func(tx *gorm.DB) error {
			last := map[int64]time.Time{a.TicketID: at}
			touched, err := ticket.TouchLastMessage(tx, last, at)
			if err != nil {
				return err
			}
			return f.clocks().CitizenWrote(ctx, tx, touched, last)
		}))
	}
	replied := func(at time.Time) {
		f.must(f.d.Tx(ctx, func(tx *gorm.DB) error { return f.clocks().Replied(ctx, tx, a.TicketID, at) }))
	}
	due := func() *time.Time {
		c, err := f.clocks().SLA(ctx, a.TicketID, now)
		f.must(err)
		return c.NextResponseDueAt
	}
	wrote(now) // not answered yet: the first-response clock is the one running
	if due() != nil {
		t.Fatal("a next-response clock before any answer")
	}
	f.must(f.d.Exec(`UPDATE tickets SET first_response_at = ?, status = 'open' WHERE id = ?`, now, a.TicketID).Error)
	wrote(now.Add(time.Minute))
	if d := due(); d == nil || !d.Equal(now.Add(11*time.Minute)) {
		t.Fatalf("next response due %v, want 10 minutes after the message", d)
	}
	wrote(now.Add(2 * time.Minute)) // a second message keeps the running clock
	if d := due(); !d.Equal(now.Add(11 * time.Minute)) {
		t.Fatalf("due moved to %v", d)
	}
	replied(now.Add(5 * time.Minute))
	if due() != nil {
		t.Fatal("an answer in time left the clock running")
	}
	// Next round answered late: one breach per clock, then the clock stops.
	wrote(now.Add(20 * time.Minute))
	f.must(f.clocks().CheckSLA(ctx, now.Add(31*time.Minute)))
	f.must(f.clocks().CheckSLA(ctx, now.Add(32*time.Minute)))
	if n := ev.count("sla.breached"); n != 1 || due() != nil {
		t.Fatalf("%d breaches, due %v", n, due())
	}
	wrote(now.Add(40 * time.Minute))
	f.must(f.clocks().CheckSLA(ctx, now.Add(51*time.Minute)))
	if n := ev.count("sla.breached"); n != 2 {
		t.Fatalf("%d breaches after a second late round, want 2", n)
	}
}

// SLA targets are bounded: each at most MaxSLASeconds (a year of business
// time; beyond the INTEGER columns PostgreSQL would refuse the row), and a
// warning lead shorter than the priority's longest target (one not shorter
// would be on from the clock's start). A refused queue keeps its SLA.
func TestSaveQueueBoundsSLATargets(t *testing.T) {
	ctx := context.Background()
	f, _ := newRouterFixture(t, testOpts{})
	kept := map[string]SLATargets{"normal": {FirstResponseSeconds: 3600, ResolutionSeconds: 86400}}
	f.saveQueue(QueueSettings{Code: "batas", SLA: kept})
	const year = MaxSLASeconds
	cases := []struct {
		name    string
		targets SLATargets
		wantKey string // "": saved
	}{
		{"a year for every target and a warning a second shorter", SLATargets{FirstResponseSeconds: year, NextResponseSeconds: year,
			ResolutionSeconds: year, WarnBeforeSeconds: year - 1}, ""},
		{"a warning longer than the first response but shorter than the resolution", SLATargets{FirstResponseSeconds: 900,
			ResolutionSeconds: 28800, WarnBeforeSeconds: 3600}, ""},
		{"a next response alone", SLATargets{NextResponseSeconds: 1800}, ""},
		{"a first response a second over a year", SLATargets{FirstResponseSeconds: year + 1}, "routing.invalid.sla_too_long"},
		{"a next response a second over a year", SLATargets{NextResponseSeconds: year + 1}, "routing.invalid.sla_too_long"},
		{"a resolution a second over a year", SLATargets{ResolutionSeconds: year + 1}, "routing.invalid.sla_too_long"},
		{"a warning a second over a year", SLATargets{ResolutionSeconds: year, WarnBeforeSeconds: year + 1}, "routing.invalid.sla_too_long"},
		{"ten billion seconds, past the INTEGER column", SLATargets{ResolutionSeconds: 10_000_000_000}, "routing.invalid.sla_too_long"},
		{"a warning as long as the longest target", SLATargets{FirstResponseSeconds: 900, ResolutionSeconds: 3600,
			WarnBeforeSeconds: 3600}, "routing.invalid.sla_warn_before"},
		{"a warning longer than every target", SLATargets{NextResponseSeconds: 600, WarnBeforeSeconds: 900}, "routing.invalid.sla_warn_before"},
		{"a warning with no target", SLATargets{WarnBeforeSeconds: 300}, "routing.invalid.sla_warn_before"},
		{"a negative warning", SLATargets{ResolutionSeconds: 3600, WarnBeforeSeconds: -1}, "routing.invalid.sla_negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.r.SaveQueue(ctx, QueueSettings{Code: "batas", SLA: map[string]SLATargets{"urgent": tc.targets}})
			qs, qerr := f.r.Queues(ctx)
			f.must(qerr)
			var stored map[string]SLATargets
			for _, q := range qs {
				if q.Code == "batas" {
					stored = q.SLA
				}
			}
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got := stored["urgent"]; got != tc.targets {
					t.Fatalf("stored %+v, want %+v", got, tc.targets)
				}
				f.saveQueue(QueueSettings{Code: "batas", SLA: kept}) // back for the next case
				return
			}
			var probs *Problems
			if !errors.As(err, &probs) || !errors.Is(err, ErrInvalid) || len(probs.List) != 1 {
				t.Fatalf("err = %v, want one problem", err)
			}
			if p := probs.List[0]; p.Field != "sla" || p.Key != tc.wantKey {
				t.Fatalf("problem %+v, want field sla, key %s", p, tc.wantKey)
			}
			if _, ok := stored["urgent"]; ok || stored["normal"] != kept["normal"] {
				t.Fatalf("a refused SLA changed the stored one: %+v", stored)
			}
		})
	}
}

// A warning lead longer than the sweep's least horizon (four days of wall
// time) is announced when the warning begins: two days of 24 business
// hours on an eight-hour weekday calendar end more than a week and a half
// after they begin.
func TestLongWarningLeadIsAnnouncedOnTime(t *testing.T) {
	ctx := context.Background()
	f, ev := newRouterFixture(t, testOpts{})
	day := []string{"08:00-16:00"}
	const hour = 3600
	f.saveQueue(QueueSettings{Code: "kantor", TimeZone: "WIB",
		Hours: map[string][]string{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
		SLA:   map[string]SLATargets{"normal": {ResolutionSeconds: 72 * hour, WarnBeforeSeconds: 48 * hour}}})
	a := f.route(Ticket{Queue: "kantor"})
	start := time.Now().UTC()
	clock, err := f.clocks().SLA(ctx, a.TicketID, start)
	f.must(err)
	if clock.ResolutionDueAt == nil {
		t.Fatalf("no resolution clock: %+v", clock)
	}
	due := *clock.ResolutionDueAt
	cal, err := calendar("WIB", `{"mon":["08:00-16:00"],"tue":["08:00-16:00"],"wed":["08:00-16:00"],"thu":["08:00-16:00"],"fri":["08:00-16:00"]}`, nil)
	f.must(err)
	// Just inside the warning window: 47 business hours are left, nine
	// calendar days or more.
	warnAt := cal.Add(start, 25*time.Hour)
	if left := due.Sub(warnAt); left <= slaHorizon {
		t.Fatalf("the due time is %s after the warning begins; the case needs more than %s", left, slaHorizon)
	}
	f.must(f.clocks().CheckSLA(ctx, cal.Add(start, 23*time.Hour)))
	if n := ev.count("sla.warning"); n != 0 {
		t.Fatalf("%d warnings before the window, want 0", n)
	}
	f.must(f.clocks().CheckSLA(ctx, warnAt))
	if n := ev.count("sla.warning"); n != 1 {
		t.Fatalf("%d warnings at %s (due %s), want 1", n, warnAt, due)
	}
}
