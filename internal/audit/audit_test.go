package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tanggap/internal/audit"
	"tanggap/internal/testenv"
)

// A detail longer than the limit is cut on a character's start: a split
// "→" would be refused by PostgreSQL and the line lost.
func TestLongDetailCutOnACharacter(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	s := audit.New(d)
	now := time.Now().UTC()
	if err := d.Exec(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at) VALUES ('a@tanggap.test', 'A', 'x', 'admin', ?, ?)`, now, now).Error; err != nil {
		t.Fatal(err)
	}
	var agentID int64
	if err := d.Raw(`SELECT id FROM agents WHERE email = 'a@tanggap.test'`).Row().Scan(&agentID); err != nil {
		t.Fatal(err)
	}
	detail := strings.Repeat("a", 1999) + strings.Repeat("→", 10)
	if err := s.Record(context.Background(), agentID, "test.long", detail); err != nil {
		t.Fatalf("record: %v", err)
	}
	var got string
	if err := d.Raw(`SELECT detail FROM audit_log WHERE action = 'test.long'`).Row().Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(got) || len(got) > 2000 || !strings.HasPrefix(detail, got) {
		t.Fatalf("stored %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
	}
}
