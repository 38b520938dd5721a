package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// watchLog counts the warnings and errors logged and signals the first
// record whose message contains a given text.
type watchLog struct {
	slog.Handler
	loud *atomic.Int64
	want string
	seen chan struct{}
	once *sync.Once
}

func (h watchLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.loud.Add(1)
	}
	if strings.Contains(r.Message, h.want) {
		h.once.Do(func() { close(h.seen) })
	}
	return h.Handler.Handle(ctx, r)
}

func (h watchLog) WithAttrs(as []slog.Attr) slog.Handler {
	h.Handler = h.Handler.WithAttrs(as)
	return h
}

func (h watchLog) WithGroup(g string) slog.Handler {
	h.Handler = h.Handler.WithGroup(g)
	return h
}

// While the database is down the consumer pauses (logged once) instead of
// naking every message with its own growing delay and a log line each;
// the moment the database answers again, everything acknowledged meanwhile
// is stored. The outage is a real one: the core reaches PostgreSQL through
// a TCP proxy the test cuts (every connection closed, new ones refused)
// and restores.
func TestDatabaseOutagePausesIngest(t *testing.T) {
	if !testenv.UsingPostgres() {
		t.Skip("the outage is played by cutting the database's TCP path: PostgreSQL only")
	}
	var loud atomic.Int64
	paused := make(chan struct{})
	log := slog.New(watchLog{Handler: testenv.Logger(t).Handler(), loud: &loud, want: "ingest paused", seen: paused, once: &sync.Once{}})

	e := newEnv(t)
	cfg, proxy := testenv.DBViaProxy(t, e.dbCfg)
	d := testenv.OpenDB(t, cfg)
	r := newRouting(d, routingSettings(log))
	if err := r.EnsureQueues(context.Background(), queueSpecs); err != nil {
		t.Fatal(err)
	}
	e.agent("kartu", 1000)
	e.start(e.consumer(Opts{DB: d, Router: r, Log: log, BatchSize: 50, ProbeInterval: 20 * time.Millisecond}))
	e.publish(complaint("before", "+6281600000000", "Sebelum gangguan"))
	e.waitCount(1, `SELECT COUNT(*) FROM messages`)

	proxy.Cut()
	e.publish(complaint("first-down", "+6281600000001", "Saat gangguan"))
	select {
	case <-paused:
	case <-time.After(20 * time.Second):
		t.Fatal("no outage reported 20 s after the database went away")
	}
	const during = 300
	for i := 0; i < during; i++ {
		e.publish(complaint(fmt.Sprintf("down-%d", i), fmt.Sprintf("+62816%08d", 10+i%40), "Saat gangguan"))
	}
	// Whatever the consumer does with them meanwhile, none is stored.
	if n := e.count(`SELECT COUNT(*) FROM messages`); n != 1 {
		t.Fatalf("%d messages stored with the database out of reach", n)
	}

	restored := time.Now()
	proxy.Restore()
	e.waitCount(2+during, `SELECT COUNT(*) FROM messages`)
	took := time.Since(restored)
	t.Logf("%d messages held during the outage stored %s after the database came back; %d warnings and errors logged",
		1+during, took.Round(time.Millisecond), loud.Load())
	if took > 5*time.Second {
		t.Errorf("stored %s after the database came back, want within 5 s", took)
	}
	// One line for the outage; a few for whatever was in flight at the cut
	// at most, never one per message.
	if n := loud.Load(); n > 5 {
		t.Errorf("%d warnings and errors logged for one outage, want at most 5", n)
	}
	e.waitSettled()
	if n := e.count(`SELECT COUNT(DISTINCT provider_message_id) FROM messages`); n != 2+during {
		t.Errorf("%d distinct messages, want %d", n, 2+during)
	}
}
