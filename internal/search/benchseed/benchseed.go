// Package benchseed fills a database with a contact center's worth of
// tickets and messages in a few SQL statements, for the search and inbox
// benchmarks (never for tests: `make test` does not seed this much).
//
// The data: Queues queues (codes bq0…), one contact per ticket with a
// name of two words from 60 × 60 common names and an E.164 phone
// (+62812 and the ticket's number), tickets spread over the queues,
// channels, priorities and provinces, half of them active, the newest
// most recently active; Messages per ticket messages of eight words from
// a 400-word vocabulary (each word in about 2 % of messages) plus one
// reference word shared by about four tickets ("ref" and a number).
package benchseed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tanggap/internal/db"
)

// Size says how much to seed.
type Size struct {
	Tickets  int
	Messages int // per ticket
	Queues   int
}

var first = strings.Fields(`siti budi agus dewi rina joko sri adi yusuf maya ratna dedi wati eko nur
	ahmad andi bambang citra dian fitri gita hadi indah iwan kartika lestari made nanda oki putri
	rahmat sari taufik udin vina wahyu yani zainal ani bayu cahya dimas erna fajar gilang hana
	irfan jihan kevin lina mira nina oscar pandu qori rudi sinta tono`)

var last = strings.Fields(`aminah santoso wijaya pratama saputra hidayat lestari kurniawan setiawan
	nugroho rahman siregar nasution harahap simanjuntak purba ginting sembiring tarigan manurung
	wibowo susanto gunawan hartono halim tanjung lubis daulay pohan rangkuti batubara hasibuan
	pane sitompul panjaitan hutapea tambunan sinaga situmorang sihombing napitupulu silalahi
	marpaung pardede sianturi manik sitepu barus karo bangun depari keliat maha pelawi perangin
	purba sinuraya tekang`)

// Vocabulary is the words messages are made of.
var Vocabulary = vocabulary()

func vocabulary() []string {
	base := strings.Fields(`insentif pelatihan sertifikat rekening bank dana cair belum sudah mohon
		bantuan akun masuk daftar verifikasi email kode otp ktp nik kartu prakerja gelombang lolos
		gagal seleksi kelas video modul ujian nilai ulasan tautan aplikasi ponsel nomor ganti alamat
		data salah benar kapan berapa lama tunggu proses status pengaduan laporan tolong segera terima
		kasih bapak ibu kak admin petugas hari minggu bulan tahun jam pagi siang sore malam kemarin
		besok lupa sandi reset ulang coba lagi error muncul layar putih lambat transfer saldo dompet
		digital ovo gopay dana linkaja mandiri bri bni bca btn syariah cabang kantor desa kecamatan
		kabupaten provinsi jakarta bandung surabaya medan makassar semarang palembang denpasar
		pontianak manado jayapura ambon kupang mataram padang pekanbaru jambi bengkulu lampung serang
		yogyakarta banjarmasin samarinda palu kendari gorontalo mamuju ternate sorong`)
	out := append([]string{}, base...)
	for i := 0; len(out) < 400; i++ {
		out = append(out, fmt.Sprintf("kata%d", i))
	}
	return out[:400]
}

// Name returns the seeded name of contact i (1-based).
func Name(i int) string { return first[i%len(first)] + " " + last[(i/len(first))%len(last)] }

// Phone returns the seeded phone of ticket i (1-based), in E.164.
func Phone(i int) string { return fmt.Sprintf("+62812%08d", i) }

// Seed fills d. It expects an empty, migrated database.
func Seed(ctx context.Context, d *db.DB, s Size) error {
	q := d.WithContext(ctx)
	now := time.Now().UTC().Truncate(time.Second)
	exec := func(what, sql string, args ...any) error {
		if err := q.Exec(sql, args...).Error; err != nil {
			return fmt.Errorf("benchseed: %s: %w", what, err)
		}
		return nil
	}
	for i := 0; i < s.Queues; i++ {
		if err := exec("queue", `INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?)`, fmt.Sprintf("bq%d", i), fmt.Sprintf("Antrean %d", i), now); err != nil {
			return err
		}
	}
	if err := exec("words table", `CREATE TABLE bench_words (id INTEGER PRIMARY KEY, w TEXT NOT NULL)`); err != nil {
		return err
	}
	if err := exec("names table", `CREATE TABLE bench_names (id INTEGER PRIMARY KEY, w TEXT NOT NULL)`); err != nil {
		return err
	}
	for i, w := range Vocabulary {
		if err := exec("word", `INSERT INTO bench_words (id, w) VALUES (?, ?)`, i, w); err != nil {
			return err
		}
	}
	nNames := len(first) * len(last)
	for i := 0; i < nNames; i++ {
		if err := exec("name", `INSERT INTO bench_names (id, w) VALUES (?, ?)`, i, Name(i)); err != nil {
			return err
		}
	}
	seq := `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)`
	ago := func(col string) string { // now minus col seconds
		if d.Dialect == db.Postgres {
			return `CAST(? AS TIMESTAMPTZ) - (` + col + `) * INTERVAL '1 second'`
		}
		return `strftime('%Y-%m-%d %H:%M:%S', ?, '-' || (` + col + `) || ' seconds') || '+00:00'`
	}
	var base int64
	if err := q.Raw(`SELECT COALESCE(MAX(id), 0) FROM contacts`).Scan(&base).Error; err != nil {
		return err
	}
	if err := exec("contacts", `INSERT INTO contacts (name, province_code, created_at, updated_at) `+seq+`
		SELECT (SELECT w FROM bench_names WHERE id = seq.i % ?), CASE seq.i % 3 WHEN 0 THEN '32' WHEN 1 THEN '31' ELSE '35' END, ?, ?
		FROM seq`, s.Tickets, nNames, now, now); err != nil {
		return err
	}
	pad := `substr('00000000' || (id - ?), -8, 8)`
	if d.Dialect == db.Postgres {
		pad = `lpad(CAST(id - ? AS TEXT), 8, '0')`
	}
	if err := exec("phones", `INSERT INTO contact_identities (contact_id, kind, value, created_at)
		SELECT id, 'phone', '+62812' || `+pad+`, ? FROM contacts WHERE id > ?`, base, now, base); err != nil {
		return err
	}
	var q0 int64
	if err := q.Raw(`SELECT MIN(id) FROM queues WHERE code LIKE 'bq%'`).Scan(&q0).Error; err != nil {
		return err
	}
	if err := exec("tickets", `INSERT INTO tickets (tracking_number, contact_id, channel, category, status, priority, queue_id,
		province_code, created_at, updated_at, last_message_at, resolution_due_at) `+seq+`
		SELECT 'B' || seq.i, ? + seq.i,
			CASE seq.i % 4 WHEN 0 THEN 'webform' WHEN 1 THEN 'whatsapp' WHEN 2 THEN 'livechat' ELSE 'voice' END,
			CASE seq.i % 3 WHEN 0 THEN 'insentif' ELSE 'pelatihan' END,
			CASE seq.i % 6 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'pending' WHEN 3 THEN 'solved' ELSE 'closed' END,
			CASE seq.i % 10 WHEN 0 THEN 'urgent' WHEN 1 THEN 'high' ELSE 'normal' END,
			? + seq.i % ?, CASE seq.i % 3 WHEN 0 THEN '32' WHEN 1 THEN '31' ELSE '35' END,
			`+ago("(? - seq.i) * 60")+`, `+ago("(? - seq.i) * 60")+`, `+ago("(? - seq.i) * 60")+`, `+ago("(? - seq.i) * 60 - 86400")+`
		FROM seq`, s.Tickets, base, q0, s.Queues, now, s.Tickets, now, s.Tickets, now, s.Tickets, now, s.Tickets); err != nil {
		return err
	}
	var t0 int64
	if err := q.Raw(`SELECT MIN(id) FROM tickets WHERE tracking_number LIKE 'B%'`).Scan(&t0).Error; err != nil {
		return err
	}
	words := make([]string, 8)
	for k := range words {
		// a different stride per position: about 8 × 1/400 of messages hold a word
		words[k] = fmt.Sprintf(`(SELECT w FROM bench_words WHERE id = (seq.i * %d + %d) %% 400)`, 7+k*6, k*53)
	}
	body := strings.Join(words, ` || ' ' || `) + ` || ' ref' || ((seq.i / ?) % ?)`
	if err := exec("messages", `INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at) `+seq+`
		SELECT ? + (seq.i - 1) / ?, 'in', 'webform', 'bench-' || seq.i, `+body+`, ?, ?
		FROM seq`, s.Tickets*s.Messages, t0, s.Messages, s.Messages, s.Tickets/4, now, now); err != nil {
		return err
	}
	return Settle(ctx, d, "queues", "contacts", "contact_identities", "tickets", "messages")
}

// Settle does to tables what autovacuum would after a bulk load or a
// bulk update: fresh statistics and, on PostgreSQL, a vacuum, which
// clears the dead versions an update left (pages would step over them),
// sets the visibility map (index-only reads stay index-only) and folds
// the GIN pending list of new messages into the index. SQLite keeps no
// dead versions in place and its VACUUM takes no table: statistics only.
func Settle(ctx context.Context, d *db.DB, tables ...string) error {
	for _, t := range tables {
		stmt := `ANALYZE ` + t
		if d.Dialect == db.Postgres {
			stmt = `VACUUM ANALYZE ` + t
		}
		if err := d.WithContext(ctx).Exec(stmt).Error; err != nil {
			return fmt.Errorf("benchseed: analyze %s: %w", t, err)
		}
	}
	return nil
}
