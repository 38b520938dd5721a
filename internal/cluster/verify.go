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

// Verification compares the complaints the load generator got a 201 for
// with the citizens' messages in the database.
type Verification struct {
	Accepted    int // complaints answered 201 (distinct citizens)
	Stored      int // of those, stored at least once
	Duplicates  int // extra copies of an accepted complaint's message
	Lost        int // accepted, never stored
	WrongTicket int // stored in a ticket other than the tracking number answered
	Unanswered  int // stored though no 201 was seen (the client gave up): not an error
}

// citizenMark finds the load generator's citizen number in a message
// (loadgen.Index).
var citizenMark = regexp.MustCompile(`nomor (\d+):`)

// Verify reads every inbound form message once a second until each
// accepted complaint (want: citizen number → tracking number) is stored
// or ctx ends (wait false: reads once), and reports what it found then.
func Verify(ctx context.Context, dbURL string, want map[int]string, wait bool) (Verification, error) {
	for {
		v, err := verifyOnce(ctx, dbURL, want)
		if err != nil || !wait || v.Lost == 0 {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, nil
		case <-time.After(time.Second):
		}
	}
}

func verifyOnce(ctx context.Context, dbURL string, want map[int]string) (Verification, error) {
	v := Verification{Accepted: len(want)}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return v, fmt.Errorf("cluster: verify: connect %s: %w", mask.URL(dbURL), err)
	}
	defer conn.Close(context.Background())
	// One scan of the run's private schema; a run stores a few thousand
	// messages at most.
	rows, err := conn.Query(ctx, `SELECT t.tracking_number, m.body FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.direction = 'in' AND m.channel = 'webform'`)
	if err != nil {
		return v, fmt.Errorf("cluster: verify: %w", err)
	}
	got := map[int][]string{}
	for rows.Next() {
		var tn, body string
		if err := rows.Scan(&tn, &body); err != nil {
			return v, fmt.Errorf("cluster: verify: %w", err)
		}
		if m := citizenMark.FindStringSubmatch(body); m != nil {
			n, _ := strconv.Atoi(m[1])
			got[n] = append(got[n], tn)
		}
	}
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("cluster: verify: %w", err)
	}
	for n, tn := range want {
		stored := got[n]
		switch {
		case len(stored) == 0:
			v.Lost++
			continue
		case len(stored) > 1:
			v.Duplicates += len(stored) - 1
		}
		v.Stored++
		if stored[0] != tn {
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
