package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/migrate"
	"tanggap/internal/testenv"
	"tanggap/migrations"
)

// target is one empty database to migrate: SQLite always (it costs a temp
// folder), PostgreSQL when TEST_DATABASE_URL names one. Without it the
// PostgreSQL case skips locally and fails in CI (testenv's rule).
type target struct {
	name string
	cfg  func(t *testing.T) db.Config
}

func targets() []target {
	return []target{{name: "sqlite", cfg: func(t *testing.T) db.Config {
		return db.Config{DataDir: t.TempDir(), MaxOpenConns: 4}
	}}, {name: "postgres", cfg: func(t *testing.T) db.Config {
		cfg := testenv.EmptyDBConfig(t)
		if cfg.URL == "" {
			t.Skip("TEST_DATABASE_URL not set: PostgreSQL case skipped, SQLite case ran")
		}
		return cfg
	}}}
}

// forEachTarget runs f once per available database kind on a fresh,
// empty database.
func forEachTarget(t *testing.T, f func(t *testing.T, cfg db.Config)) {
	t.Helper()
	for _, tg := range targets() {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			f(t, tg.cfg(t))
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

type row struct {
	Version int64
	Name    string
}

func recorded(t *testing.T, d *db.DB) []row {
	t.Helper()
	var rows []row
	if err := d.Raw(`SELECT version, name FROM schema_migrations ORDER BY version`).Scan(&rows).Error; err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return rows
}

func allVersions(t *testing.T, dialect db.Dialect) []int {
	t.Helper()
	vs, err := migrate.Versions(dialect)
	if err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, v := range vs {
		ns = append(ns, v.Number)
	}
	return ns
}

func TestFreshApplyThenNoOp(t *testing.T) {
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		ctx := ctxT(t)
		d := testenv.OpenDB(t, cfg)
		want := allVersions(t, d.Dialect)

		cur, latest, err := migrate.Status(ctx, d)
		if err != nil || cur != 0 || latest != want[len(want)-1] {
			t.Fatalf("status before = %d/%d, %v; want 0/%d", cur, latest, err, want[len(want)-1])
		}

		applied, err := migrate.Up(ctx, d, testenv.Logger(t))
		if err != nil {
			t.Fatalf("first Up: %v", err)
		}
		if !slices.Equal(applied, want) {
			t.Fatalf("first Up applied %v, want %v", applied, want)
		}
		// Every statement of the multi-statement init file ran, not just the
		// first: the last table of 0001 exists.
		for _, table := range []string{"contacts", "tickets", "messages", "audit_log"} {
			var n int64
			if err := d.Raw(`SELECT COUNT(*) FROM ` + table).Scan(&n).Error; err != nil {
				t.Fatalf("table %s after Up: %v", table, err)
			}
		}
		rows := recorded(t, d)
		if len(rows) != len(want) || rows[0].Version != 1 || rows[0].Name != "init" {
			t.Fatalf("schema_migrations = %+v", rows)
		}

		again, err := migrate.Up(ctx, d, testenv.Logger(t))
		if err != nil || len(again) != 0 {
			t.Fatalf("second Up applied %v, %v; want nothing", again, err)
		}
		if got := recorded(t, d); !slices.Equal(got, rows) {
			t.Fatalf("second Up changed schema_migrations: %+v -> %+v", rows, got)
		}
		cur, latest, err = migrate.Status(ctx, d)
		if err != nil || cur != latest {
			t.Fatalf("status after = %d/%d, %v; want current", cur, latest, err)
		}
	})
}

// threeStep is a portable three-version tree; several versions widen the
// window in which concurrent runs could interleave.
func threeStep() fstest.MapFS {
	files := map[string]string{
		"0001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT NOT NULL);\nINSERT INTO a (id, v) VALUES (1, 'satu');",
		"0002_b.sql": "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO a (id, v) VALUES (2, 'dua');",
		"0003_c.sql": "INSERT INTO a (id, v) VALUES (3, 'tiga');",
	}
	fsys := fstest.MapFS{}
	for _, dir := range []string{"postgres", "sqlite"} {
		for name, body := range files {
			fsys[dir+"/"+name] = &fstest.MapFile{Data: []byte(body)}
		}
	}
	return fsys
}

func TestConcurrentUpAppliesEachVersionOnce(t *testing.T) {
	const instances = 4
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		ctx := ctxT(t)
		handles := make([]*db.DB, instances)
		for i := range handles {
			handles[i] = testenv.OpenDB(t, cfg)
		}
		for _, tc := range []struct {
			name string
			fsys fstest.MapFS
		}{
			{name: "embedded migrations", fsys: nil},
			// Runs on the same database after the first case (tables a and
			// b are not in the embedded schema).
			{name: "three inserting versions", fsys: threeStep()},
		} {
			results := make([][]int, instances)
			errs := make([]error, instances)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, d := range handles {
				wg.Go(func() {
					<-start
					if tc.fsys == nil {
						results[i], errs[i] = migrate.Up(ctx, d, testenv.Logger(t))
					} else {
						results[i], errs[i] = migrate.UpFS(ctx, d, tc.fsys, testenv.Logger(t))
					}
				})
			}
			close(start)
			wg.Wait()
			var all []int
			for i := range handles {
				if errs[i] != nil {
					t.Fatalf("%s: instance %d: %v", tc.name, i, errs[i])
				}
				all = append(all, results[i]...)
			}
			slices.Sort(all)
			want := allVersions(t, handles[0].Dialect)
			if tc.fsys != nil {
				want = []int{1, 2, 3}
			}
			if !slices.Equal(all, want) {
				t.Fatalf("%s: instances applied %v together, want each of %v exactly once", tc.name, results, want)
			}
			if tc.fsys != nil {
				var n int64
				if err := handles[0].Raw(`SELECT COUNT(*) FROM a`).Scan(&n).Error; err != nil || n != 3 {
					t.Fatalf("%s: table a has %d rows (%v), want 3", tc.name, n, err)
				}
			}
			// Reset the version table between cases: the second case
			// reuses the version numbers of the first.
			if err := handles[0].Exec(`DELETE FROM schema_migrations`).Error; err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestDatabaseNewerThanBinaryIsRefused(t *testing.T) {
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		ctx := ctxT(t)
		d := testenv.OpenDB(t, cfg)
		if _, err := migrate.Up(ctx, d, testenv.Logger(t)); err != nil {
			t.Fatal(err)
		}
		want := allVersions(t, d.Dialect)
		future := want[len(want)-1] + 1
		if err := d.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', ?)`,
			future, time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		applied, err := migrate.Up(ctx, d, testenv.Logger(t))
		if !errors.Is(err, migrate.ErrDatabaseNewer) {
			t.Fatalf("Up on a newer database: err = %v, want ErrDatabaseNewer", err)
		}
		if len(applied) != 0 {
			t.Fatalf("Up on a newer database applied %v", applied)
		}
		cur, _, err := migrate.Status(ctx, d)
		if err != nil || cur != future {
			t.Fatalf("status current = %d, %v; want %d", cur, err, future)
		}
	})
}

func TestFailingMigrationRollsBack(t *testing.T) {
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		ctx := ctxT(t)
		d := testenv.OpenDB(t, cfg)
		fsys := threeStep()
		for _, dir := range []string{"postgres", "sqlite"} {
			// The first statement succeeds, the second fails: the table
			// the first created must vanish with the rollback.
			fsys[dir+"/0002_b.sql"] = &fstest.MapFile{Data: []byte(
				"CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table (id) VALUES (1);")}
		}
		applied, err := migrate.UpFS(ctx, d, fsys, testenv.Logger(t))
		if !errors.Is(err, migrate.ErrFailed) {
			t.Fatalf("Up with a broken file: err = %v, want ErrFailed", err)
		}
		if !slices.Equal(applied, []int{1}) {
			t.Fatalf("applied %v before the failure, want [1]", applied)
		}
		if rows := recorded(t, d); len(rows) != 1 || rows[0].Version != 1 {
			t.Fatalf("schema_migrations = %+v, want only version 1", rows)
		}
		var n int64
		if err := d.Raw(`SELECT COUNT(*) FROM b`).Scan(&n).Error; err == nil {
			t.Fatalf("table b exists after its migration failed")
		}

		// Fixed file: the run resumes at version 2.
		applied, err = migrate.UpFS(ctx, d, threeStep(), testenv.Logger(t))
		if err != nil || !slices.Equal(applied, []int{2, 3}) {
			t.Fatalf("Up after the fix applied %v, %v; want [2 3]", applied, err)
		}
	})
}

func TestStatementsWithSemicolonsInStringsAndComments(t *testing.T) {
	body := "-- a comment; with a semicolon\n" +
		"CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n" +
		"INSERT INTO notes (id, body) VALUES (1, 'halo; apa kabar?');\n" +
		"/* block; comment */ INSERT INTO notes (id, body) VALUES (2, 'it''s; fine');\n"
	fsys := fstest.MapFS{
		"postgres/0001_notes.sql": {Data: []byte(body)},
		"sqlite/0001_notes.sql":   {Data: []byte(body)},
	}
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		ctx := ctxT(t)
		d := testenv.OpenDB(t, cfg)
		if _, err := migrate.UpFS(ctx, d, fsys, testenv.Logger(t)); err != nil {
			t.Fatal(err)
		}
		var bodies []string
		if err := d.Raw(`SELECT body FROM notes ORDER BY id`).Scan(&bodies).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(bodies, []string{"halo; apa kabar?", "it's; fine"}) {
			t.Fatalf("notes = %q", bodies)
		}
	})
}

func TestSingleConnectionPoolDoesNotDeadlock(t *testing.T) {
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		cfg.MaxOpenConns = 1
		d := testenv.OpenDB(t, cfg)
		if _, err := migrate.Up(ctxT(t), d, testenv.Logger(t)); err != nil {
			t.Fatal(err)
		}
		// The pool's only connection must be free again (lock released,
		// connection returned).
		if err := d.Ping(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDialectsCarrySameVersions(t *testing.T) {
	pg, err := migrate.Versions(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := migrate.Versions(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	key := func(vs []migrate.Version) []string {
		var out []string
		for _, v := range vs {
			out = append(out, fmt.Sprintf("%d %s %s", v.Number, v.Name, v.File))
		}
		return out
	}
	if !slices.Equal(key(pg), key(lite)) {
		t.Fatalf("postgres has %q, sqlite has %q: add or rename the file in both folders", key(pg), key(lite))
	}
}

func TestBadFileTreesAreRefused(t *testing.T) {
	ok := &fstest.MapFile{Data: []byte("SELECT 1;")}
	cases := []struct {
		name  string
		files []string
	}{
		{name: "gap in numbering", files: []string{"0001_a.sql", "0003_c.sql"}},
		{name: "duplicate number", files: []string{"0001_a.sql", "0002_b.sql", "02_again.sql"}},
		{name: "not starting at one", files: []string{"0002_b.sql"}},
		{name: "dash instead of underscore", files: []string{"0001_a.sql", "0002-b.sql"}},
		{name: "upper case name", files: []string{"0001_Init.sql"}},
		{name: "no migrations at all", files: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"sqlite/README.md": {Data: []byte("not a migration")}}
			for _, f := range tc.files {
				fsys["sqlite/"+f] = ok
			}
			if _, err := migrate.Load(fsys, db.SQLite); !errors.Is(err, migrate.ErrBadFiles) {
				t.Fatalf("load %v: err = %v, want ErrBadFiles", tc.files, err)
			}
		})
	}
	t.Run("other files are ignored", func(t *testing.T) {
		fsys := fstest.MapFS{"sqlite/README.md": {Data: []byte("x")}, "sqlite/0001_a.sql": ok}
		vs, err := migrate.Load(fsys, db.SQLite)
		if err != nil || len(vs) != 1 || vs[0].Name != "a" {
			t.Fatalf("load = %+v, %v", vs, err)
		}
	})
}

func TestBadTreeRefusedBeforeTouchingTheDatabase(t *testing.T) {
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		d := testenv.OpenDB(t, cfg)
		fsys := fstest.MapFS{
			"postgres/0002_b.sql": {Data: []byte("CREATE TABLE b (id INTEGER);")},
			"sqlite/0002_b.sql":   {Data: []byte("CREATE TABLE b (id INTEGER);")},
		}
		if _, err := migrate.UpFS(ctxT(t), d, fsys, testenv.Logger(t)); !errors.Is(err, migrate.ErrBadFiles) {
			t.Fatalf("err = %v, want ErrBadFiles", err)
		}
		var n int64
		if err := d.Raw(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n).Error; err == nil {
			t.Fatalf("schema_migrations was created for a refused tree")
		}
	})
}

// upTo applies the migrations numbered up to last, as a database made by
// an earlier release holds them.
func upTo(t *testing.T, d *db.DB, last int) {
	t.Helper()
	fsys := fstest.MapFS{}
	if err := fs.WalkDir(migrations.FS, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if n, _ := strconv.Atoi(strings.SplitN(filepath.Base(path), "_", 2)[0]); n > last {
			return nil
		}
		b, err := fs.ReadFile(migrations.FS, path)
		fsys[path] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.UpFS(ctxT(t), d, fsys, testenv.Logger(t)); err != nil {
		t.Fatal(err)
	}
}

// TestReplyNoticesToldBeforeTheUpgradeCountAsDone: after 0043 no status
// notice waits behind a reply whose notice went out before the upgrade
// (internal/notify, replyAhead); status notices are not marked.
func TestReplyNoticesToldBeforeTheUpgradeCountAsDone(t *testing.T) {
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		d := testenv.OpenDB(t, cfg)
		upTo(t, d, 42)
		now := time.Now().UTC()
		var contact, ticket int64
		if err := d.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Siti', ?, ?) RETURNING id`, now, now).Scan(&contact).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, created_at, updated_at, last_message_at)
			VALUES ('2612-0000-0000-0003', ?, 'webform', 'lainnya', 'solved', ?, ?, ?) RETURNING id`, contact, now, now, now).Scan(&ticket).Error; err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"reply:7", "status:1:2:solved"} {
			if err := d.Exec(`INSERT INTO notify_notices (event_key, ticket_id, created_at) VALUES (?, ?, ?)`, key, ticket, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		if applied, err := migrate.Up(ctxT(t), d, testenv.Logger(t)); err != nil || !slices.Contains(applied, 43) {
			t.Fatalf("Up after 0042 applied %v, %v", applied, err)
		}
		var done []string
		if err := d.Raw(`SELECT event_key FROM notify_notices WHERE done_at IS NOT NULL ORDER BY event_key`).Scan(&done).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(done, []string{"reply:7"}) {
			t.Fatalf("done after 0043: %v, want the reply's notice only", done)
		}
	})
}

// TestNotifyDeliveriesKeepTheirRowsAndIdsThroughTheWiderKind: 0042 lets
// notify_deliveries.kind take "received" (SQLite makes the table again):
// a database at 0041 keeps its notifications, both indexes, and its id
// counter, so the id of a deleted ticket's notification, which a late
// bounce may still name, is not handed out again.
func TestNotifyDeliveriesKeepTheirRowsAndIdsThroughTheWiderKind(t *testing.T) {
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		ctx := ctxT(t)
		d := testenv.OpenDB(t, cfg)
		upTo(t, d, 41)
		now := time.Now().UTC()
		var contact int64
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(d.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Siti', ?, ?) RETURNING id`, now, now).Scan(&contact).Error)
		ticket := func(tn string) (id int64) {
			must(d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, created_at, updated_at, last_message_at)
				VALUES (?, ?, 'webform', 'lainnya', 'open', ?, ?, ?) RETURNING id`, tn, contact, now, now, now).Scan(&id).Error)
			return id
		}
		kept, gone := ticket("2612-0000-0000-0001"), ticket("2612-0000-0000-0002")
		deliver := func(ticketID int64, key string) (id int64) {
			must(d.Raw(`INSERT INTO notify_deliveries (event_key, route, ticket_id, kind, status, provider_id, created_at, updated_at)
				VALUES (?, 'sms', ?, 'reply', 'sent', 'SM1', ?, ?) RETURNING id`, key, ticketID, now, now).Scan(&id).Error)
			return id
		}
		first := deliver(kept, "reply:1")
		last := deliver(gone, "reply:2")
		must(d.Exec(`DELETE FROM tickets WHERE id = ?`, gone).Error)

		applied, err := migrate.Up(ctx, d, testenv.Logger(t))
		if err != nil || !slices.Contains(applied, 42) {
			t.Fatalf("Up after 0041 applied %v, %v", applied, err)
		}
		var keys []string
		must(d.Raw(`SELECT event_key FROM notify_deliveries ORDER BY id`).Scan(&keys).Error)
		if !slices.Equal(keys, []string{"reply:1"}) {
			t.Fatalf("rows after 0042: %v", keys)
		}
		next := deliver(kept, "received:1")
		must(d.Exec(`UPDATE notify_deliveries SET kind = 'received' WHERE id = ?`, next).Error)
		if next <= last || next <= first {
			t.Fatalf("the next notification got id %d; ids up to %d were handed out before", next, last)
		}
		if err := d.Exec(`UPDATE notify_deliveries SET kind = 'nonsense' WHERE id = ?`, next).Error; err == nil {
			t.Fatal("a kind outside the list was taken")
		}
		for _, idx := range []string{"notify_deliveries_ticket_idx", "notify_deliveries_provider_idx"} {
			var n int64
			q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
			if d.Dialect == db.Postgres {
				q = `SELECT COUNT(*) FROM pg_indexes WHERE indexname = ? AND schemaname = current_schema()`
			}
			must(d.Raw(q, idx).Scan(&n).Error)
			if n != 1 {
				t.Fatalf("index %s after 0042: %d", idx, n)
			}
		}
	})
}
