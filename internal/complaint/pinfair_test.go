package complaint

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
	"tanggap/internal/tracking"
)

// TestPINLocksAreFair: wrong PINs lock the network that typed them, not
// the number: a stranger's misses leave the citizen's network free; one
// IPv6 /64 is one network; a much higher ceiling across all networks
// holds the number for networks that never opened it, while the network
// that opened it with its PIN still gets in with that PIN (also after the
// sweep). An unknown number answers every step exactly as a real one does.
func TestPINLocksAreFair(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	const pin, wrong = "24681357", "1111-2222"
	const citizen = "198.51.100.20"

	// outcomes runs steps of (client, pin) on a number and names each
	// result, so a real number and an unknown one can be compared.
	outcomes := func(s *Service, tn string, steps [][2]string) []string {
		out := make([]string, 0, len(steps))
		for _, st := range steps {
			_, err := s.OpenWithPIN(ctx, tn, st[1], st[0])
			switch {
			case err == nil:
				out = append(out, "open")
			case errors.Is(err, ErrPINHeld):
				out = append(out, "held")
			case errors.Is(err, ErrPINLocked):
				out = append(out, "locked")
			case errors.Is(err, ErrNotFound):
				out = append(out, "miss")
			default:
				t.Fatalf("%s %v: %v", tn, st, err)
			}
		}
		return out
	}
	misses := func(client string, n int) [][2]string {
		s := make([][2]string, n)
		for i := range s {
			s[i] = [2]string{client, wrong}
		}
		return s
	}
	want := func(name string, got []string, want ...string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
	}

	t.Run("a stranger's misses do not lock the citizen's network", func(t *testing.T) {
		tn := seedPINComplaint(t, d, pin)
		s := New(Opts{DB: d, PINCost: 4, Tickets: pinTickets{tn: tn}})
		stranger := append(misses("203.0.113.7", DefaultPINAttempts), [2]string{"203.0.113.7", pin})
		want("stranger", outcomes(s, tn, stranger), "miss", "miss", "miss", "miss", "miss", "locked")
		want("citizen", outcomes(s, tn, [][2]string{{citizen, pin}}), "open")
		// The same steps on an unknown number: the same answers (only the
		// right PIN, which nobody has for it, differs: it is a miss).
		ghost := tracking.Generate()
		want("unknown number", outcomes(s, ghost, stranger), "miss", "miss", "miss", "miss", "miss", "locked")
		want("unknown number, another network", outcomes(s, ghost, [][2]string{{citizen, wrong}}), "miss")
	})

	t.Run("one IPv6 /64 is one network", func(t *testing.T) {
		tn := seedPINComplaint(t, d, pin)
		s := New(Opts{DB: d, PINCost: 4, Tickets: pinTickets{tn: tn}})
		var steps [][2]string
		for i := 1; i <= DefaultPINAttempts+1; i++ {
			steps = append(steps, [2]string{fmt.Sprintf("2001:db8:1:2::%x", i), wrong})
		}
		want("hopping inside a /64", outcomes(s, tn, steps), "miss", "miss", "miss", "miss", "miss", "locked")
		want("the next /64", outcomes(s, tn, [][2]string{{"2001:db8:1:3::1", pin}}), "open")
	})

	t.Run("the ceiling holds the number, not the citizen's network", func(t *testing.T) {
		const ceiling = 10
		tn := seedPINComplaint(t, d, pin)
		s := New(Opts{DB: d, PINCost: 4, PINCeiling: ceiling, Tickets: pinTickets{tn: tn}})
		// The citizen opened it once: the network is remembered, and the
		// right PIN gives its ceiling count back.
		want("citizen first", outcomes(s, tn, [][2]string{{citizen, pin}}), "open")
		// Guessing spread over networks, each under its own limit.
		var spread [][2]string
		var wantSpread []string
		for i := 1; i <= ceiling; i++ {
			spread = append(spread, [2]string{fmt.Sprintf("203.0.113.%d", i), wrong})
			wantSpread = append(wantSpread, "miss")
		}
		spread = append(spread, [2]string{"192.0.2.99", pin})
		wantSpread = append(wantSpread, "held")
		want("spread guessing", outcomes(s, tn, spread), wantSpread...)
		// The sweep an hour later forgets the windows but not the
		// citizen's network; the ceiling still holds for everyone else.
		if err := s.sweepPINs(ctx, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		want("citizen while held", outcomes(s, tn, [][2]string{{citizen, pin}, {citizen, wrong}, {citizen, pin}}), "open", "held", "open")
		want("stranger while held", outcomes(s, tn, [][2]string{{"192.0.2.100", pin}}), "held")
		// Only the right PIN passes the ceiling from the citizen's network
		// (a wrong one is held like anyone's), and the network keeps its
		// own limit.
		want("citizen's own limit", outcomes(s, tn, append(misses(citizen, DefaultPINAttempts), [2]string{citizen, pin})),
			"held", "held", "held", "held", "held", "locked")
		// After the ceiling's window a new network gets in again.
		later := New(Opts{DB: d, PINCost: 4, PINCeiling: ceiling, Tickets: pinTickets{tn: tn},
			Now: func() time.Time { return time.Now().Add(DefaultCeilingSpan + time.Minute) }})
		want("after the ceiling's window", outcomes(later, tn, [][2]string{{"192.0.2.100", pin}}), "open")
		// An unknown number reaches the same ceiling at the same step.
		ghost := tracking.Generate()
		ghostSpread := append([][2]string(nil), spread...)
		want("unknown number", outcomes(s, ghost, ghostSpread), wantSpread...)
	})

	t.Run("the network that submitted it gets in past the ceiling", func(t *testing.T) {
		const ceiling = 3
		tn := seedPINComplaint(t, d, pin)
		s := New(Opts{DB: d, PINCost: 4, PINCeiling: ceiling, Tickets: pinTickets{tn: tn}})
		if err := s.RememberNetwork(ctx, tn, "198.51.100.77", FormatPIN(pin)); err != nil {
			t.Fatal(err)
		}
		var spread [][2]string
		for i := 1; i <= ceiling+1; i++ {
			spread = append(spread, [2]string{fmt.Sprintf("203.0.113.%d", 50+i), wrong})
		}
		want("spread guessing", outcomes(s, tn, spread), "miss", "miss", "miss", "held")
		want("the submitter", outcomes(s, tn, [][2]string{{"198.51.100.77", pin}}), "open")
		want("the submitter, another PIN", outcomes(s, tn, [][2]string{{"198.51.100.77", wrong}}), "held")
		if err := s.RememberNetwork(ctx, "not a number", "198.51.100.77", pin); err == nil {
			t.Error("a malformed number was remembered")
		}
	})

	t.Run("client networks", func(t *testing.T) {
		for in, out := range map[string]string{
			"203.0.113.7":               "203.0.113.7",
			"::ffff:203.0.113.7":        "203.0.113.7",
			"2001:db8:1:2:aaaa::1":      "2001:db8:1:2::/64",
			"2001:db8:1:2:bbbb::9%eth0": "2001:db8:1:2::/64",
			"":                          "?",
			"not an address":            "?",
		} {
			if got := ClientNetwork(in); got != out {
				t.Errorf("ClientNetwork(%q) = %q, want %q", in, got, out)
			}
		}
	})
}

// FuzzClientNetwork: whatever address the edge hands over (it comes from
// X-Forwarded-For behind a trusted proxy), the network is "?", an IPv4
// address or an IPv6 /64, and every address of one /64 is one network.
func FuzzClientNetwork(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "::ffff:203.0.113.7", "2001:db8::1", "fe80::1%eth0", "", "?", "1.2.3", "::", "2001:db8:1:2:3:4:5:6:7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n := ClientNetwork(in)
		if n == "?" {
			return
		}
		if a, err := netip.ParseAddr(n); err == nil {
			if !a.Is4() {
				t.Fatalf("ClientNetwork(%q) = %q: an address that is not IPv4", in, n)
			}
			return
		}
		p, err := netip.ParsePrefix(n)
		if err != nil || p.Bits() != 64 || !p.Addr().Is6() {
			t.Fatalf("ClientNetwork(%q) = %q: neither IPv4 nor an IPv6 /64", in, n)
		}
		b := p.Addr().As16()
		b[15] ^= 0xff
		if other := ClientNetwork(netip.AddrFrom16(b).String()); other != n {
			t.Fatalf("%q and its /64 neighbour are different networks: %q, %q", in, n, other)
		}
	})
}

// TestPINCountsUpsertOnTheirKeys: the two counts of every PIN attempt are
// upserts on their primary keys. PostgreSQL names the key as the conflict
// arbiter; SQLite refuses to plan an ON CONFLICT target that no unique
// index backs, so a plan at all proves the key there.
func TestPINCountsUpsertOnTheirKeys(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Now().UTC()
	for _, c := range []struct {
		name, q, key string
		args         []any
	}{
		{"per network", sqlPINClientAttempt, "complaint_pin_client_failures_pkey", []any{"x", "y", now, now, now}},
		{"ceiling", sqlPINAttempt, "complaint_pin_failures_pkey", []any{"x", now, now, now}},
		{"remembered network", sqlPINRemember, "complaint_pin_client_failures_pkey", []any{"x", "y", now, now}},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		if d.Dialect == db.Postgres && !strings.Contains(plan, "Conflict Arbiter Indexes: "+c.key) {
			t.Errorf("%s: the upsert is not arbitrated by %s:\n%s", c.name, c.key, plan)
		}
	}
}
