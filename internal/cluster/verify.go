package cluster

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"tanggap/internal/mask"
)

// Want is what one citizen's accepted message must have become.
type Want struct {
	Channel  string // "webform", "whatsapp" or "livechat"
	Tracking string // the number the form answered ("" for WhatsApp)
}

// Verification compares the messages the load generator got a 2xx for
// with the citizens' messages in the database.
type Verification struct {
	Accepted    int // messages answered 2xx (one per citizen)
	Stored      int // of those, stored at least once
	Duplicates  int // extra copies of an accepted complaint's message
	Lost        int // accepted, never stored
	WrongTicket int // stored in another ticket than the number answered, on another channel, or beside another citizen's message
	Unanswered  int // stored though no 201 was seen (the client gave up): not an error
}

// citizenMark finds the load generator's citizen number in a message
// (loadgen.Index).
var citizenMark = regexp.MustCompile(`nomor (\d+):`)

// Verify reads every inbound message every 200 ms until each accepted
// one (want: by citizen number) is stored or ctx ends (wait false: reads
// once), and reports what it found then.
func Verify(ctx context.Context, dbURL string, want map[int]Want, wait bool) (Verification, error) {
	for {
		v, err := verifyOnce(ctx, dbURL, want)
		if err != nil || !wait || v.Lost == 0 {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stored is one copy of a citizen's message.
type stored struct {
	channel, tracking string
}

func verifyOnce(ctx context.Context, dbURL string, want map[int]Want) (Verification, error) {
	v := Verification{Accepted: len(want)}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return v, fmt.Errorf("cluster: verify: connect %s: %w", mask.URL(dbURL), err)
	}
	defer conn.Close(context.Background())
	// One scan of the run's private schema; a run stores a few thousand
	// messages at most.
	rows, err := conn.Query(ctx, `SELECT m.channel, t.tracking_number, m.body FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.direction = 'in'`)
	if err != nil {
		return v, fmt.Errorf("cluster: verify: %w", err)
	}
	got := map[int][]stored{}
	citizensOf := map[string]map[int]bool{} // ticket → citizens with a message in it
	for rows.Next() {
		var s stored
		var body string
		if err := rows.Scan(&s.channel, &s.tracking, &body); err != nil {
			return v, fmt.Errorf("cluster: verify: %w", err)
		}
		if m := citizenMark.FindStringSubmatch(body); m != nil {
			n, _ := strconv.Atoi(m[1])
			got[n] = append(got[n], s)
			if citizensOf[s.tracking] == nil {
				citizensOf[s.tracking] = map[int]bool{}
			}
			citizensOf[s.tracking][n] = true
		}
	}
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("cluster: verify: %w", err)
	}
	for n, w := range want {
		copies := got[n]
		switch {
		case len(copies) == 0:
			v.Lost++
			continue
		case len(copies) > 1:
			v.Duplicates += len(copies) - 1
		}
		v.Stored++
		s := copies[0]
		// Every load-generator citizen is a different person: their
		// ticket holds their message only.
		if s.channel != w.Channel || (w.Tracking != "" && s.tracking != w.Tracking) || len(citizensOf[s.tracking]) != 1 {
			v.WrongTicket++
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			v.Unanswered++
		}
	}
	return v, nil
}

// PrivateSchema creates a fresh schema on the PostgreSQL of base and
// returns a URL whose connections use it (search_path as a startup
// parameter, as internal/testenv does) and a function that drops it.
func PrivateSchema(ctx context.Context, base, prefix string) (string, func() error, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("cluster: DATABASE_URL must be a postgres:// URL")
	}
	schema := prefix + randomHex(6)
	exec := func(ctx context.Context, stmt string) error {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return fmt.Errorf("cluster: connect %s: %w", mask.URL(base), err)
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, stmt)
		return err
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if err := exec(ctx, `CREATE SCHEMA `+ident); err != nil {
		return "", nil, fmt.Errorf("cluster: create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	// The drop runs on its own clock: it must happen after a Ctrl-C too.
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return exec(ctx, `DROP SCHEMA IF EXISTS `+ident+` CASCADE`)
	}
	return u.String(), drop, nil
}
