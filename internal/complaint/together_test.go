package complaint_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"tanggap/internal/complaint"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// refuseAudit makes the database refuse the audit lines that cond (SQL
// over NEW) selects: the last write of a ticket's move made on its
// complaint's behalf (the citizen's disagreement, an archive, the
// scheduler's close). It returns the undo.
func refuseAudit(t *testing.T, d *db.DB, cond string) func() {
	t.Helper()
	var stmts, undo []string
	if d.Dialect == db.Postgres {
		stmts = []string{`CREATE FUNCTION refuse_lifecycle_audit() RETURNS trigger AS $$
BEGIN
	IF ` + cond + ` THEN
		RAISE EXCEPTION 'audit refused for the test';
	END IF;
	RETURN NEW;
END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER refuse_lifecycle_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_lifecycle_audit()`}
		undo = []string{`DROP TRIGGER refuse_lifecycle_audit ON audit_log`, `DROP FUNCTION refuse_lifecycle_audit()`}
	} else {
		stmts = []string{`CREATE TRIGGER refuse_lifecycle_audit BEFORE INSERT ON audit_log
WHEN ` + cond + `
BEGIN SELECT RAISE(ABORT, 'audit refused for the test'); END`}
		undo = []string{`DROP TRIGGER refuse_lifecycle_audit`}
	}
	for _, s := range stmts {
		if err := d.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for _, s := range undo {
			if err := d.Exec(s).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A complaint's stage and its ticket's status move in one transaction: when
// the ticket's part fails, the complaint stays where it was too, and the
// same step succeeds once the failure is gone.
func TestStageAndTicketMoveTogether(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	phone := "081255566677"
	var ids []int64
	var tns []string
	for i := 0; i < 2; i++ {
		tn := e.pub.Complaint(map[string]string{"name": "Wati", "phone": phone, "category": "pendaftaran",
			"description": fmt.Sprintf("Pengaduan %d: kartu saya belum aktif.", i)})
		tns = append(tns, tn)
		ids = append(ids, e.ticketID(tn))
	}
	// The first is answered, published and solved on its follow-up.
	e.act(e.admin, ids[0], "dispose", map[string]any{"unit": "unit-insentif", "note": "Mohon dicek."}, http.StatusOK)
	e.act(e.admin, ids[0], "answer", map[string]any{"answer": "Kartu sudah aktif."}, http.StatusOK)
	e.act(e.admin, ids[0], "publish", nil, http.StatusOK)
	if res := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ids[0]), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}

	d, err := db.Open(context.Background(), db.Config{URL: e.cfg.DatabaseURL, DataDir: e.cfg.DataDir}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	allow := refuseAudit(t, d, `NEW.detail LIKE '%complainant disagreed%' OR NEW.detail LIKE '%complaint archived%'`)

	disagree := func() int {
		return e.pub.Do(http.MethodPost, "/api/v1/complaints/"+tns[0]+"/disagree",
			map[string]string{"contact": phone, "reason": "Kartu masih belum aktif."}).Status
	}
	if st := disagree(); st < 500 {
		t.Fatalf("disagree with the ticket's move refused: %d, want a server error", st)
	}
	if v := e.view(ids[0]); v.Stage != complaint.StageFollowedUp || v.ReopenCount != 0 {
		t.Fatalf("the ticket's move failed, yet the complaint moved: %s, reopened %d", v.Stage, v.ReopenCount)
	}
	if st := e.ticketStatus(ids[0]); st != "solved" {
		t.Fatalf("ticket %s", st)
	}
	if res := e.admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/complaint/archive", ids[1]),
		map[string]any{"reason": "duplicate"}); res.Status < 500 {
		t.Fatalf("archive with the ticket's close refused: %d %s", res.Status, res.Body)
	}
	if v := e.view(ids[1]); v.Stage == complaint.StageArchived {
		t.Fatalf("the ticket's close failed, yet the complaint was archived")
	}
	if st := e.ticketStatus(ids[1]); st == "closed" {
		t.Fatalf("ticket closed")
	}

	allow()
	if st := disagree(); st != http.StatusAccepted {
		t.Fatalf("disagree: %d", st)
	}
	if v := e.view(ids[0]); v.Stage != complaint.StageDisposed || v.ReopenCount != 1 {
		t.Fatalf("after disagree: %s, reopened %d", v.Stage, v.ReopenCount)
	}
	if st := e.ticketStatus(ids[0]); st != "open" {
		t.Fatalf("after disagree the ticket is %s", st)
	}
	e.act(e.admin, ids[1], "archive", map[string]any{"reason": "duplicate"}, http.StatusOK)
	if st := e.ticketStatus(ids[1]); st != "closed" {
		t.Fatalf("after archive the ticket is %s", st)
	}
}

// A stage change that moves its ticket takes the ticket's row before the
// complaint's, in the order of every path that holds a ticket and then
// writes its complaint (a data-subject erasure blanks the tickets, then
// the complaints' answers): a disagreement made while such a transaction
// holds the ticket waits for it, and neither fails with a deadlock.
func TestStageChangeLocksTheTicketFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	d, err := db.Open(context.Background(), db.Config{URL: e.cfg.DatabaseURL, DataDir: e.cfg.DataDir}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if d.Dialect != db.Postgres {
		t.Skip("SQLite has one writer at a time: no lock order")
	}
	phone := "081255566688"
	tn := e.pub.Complaint(map[string]string{"name": "Wati", "phone": phone, "category": "pendaftaran",
		"description": "Pengaduan: kartu saya belum aktif."})
	id := e.ticketID(tn)
	e.act(e.admin, id, "dispose", map[string]any{"unit": "unit-insentif", "note": "Mohon dicek."}, http.StatusOK)
	e.act(e.admin, id, "answer", map[string]any{"answer": "Kartu sudah aktif."}, http.StatusOK)
	e.act(e.admin, id, "publish", nil, http.StatusOK)
	if res := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}

	// The erasure's order: the ticket's row, then the complaint's.
	eraser := d.Begin()
	if err := eraser.Exec(`UPDATE tickets SET subject = subject WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		done <- e.pub.Do(http.MethodPost, "/api/v1/complaints/"+tn+"/disagree",
			map[string]string{"contact": phone, "reason": "Kartu masih belum aktif."}).Status
	}()
	// The disagreement waits for a lock the eraser holds.
	testenv.CheckFor(t, wait, 20*time.Millisecond, func() error {
		var n int64
		if err := d.Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
			AND query LIKE '%tickets%'`).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("the disagreement does not wait for the ticket")
		}
		return nil
	})
	if err := eraser.Exec(`UPDATE complaints SET instructions = '' WHERE ticket_id = ? AND (answer <> '' OR instructions <> '')`, id).Error; err != nil {
		eraser.Rollback()
		t.Fatalf("the eraser, after the ticket, on the complaint: %v", err)
	}
	if err := eraser.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if st := <-done; st != http.StatusAccepted {
		t.Fatalf("disagree while the ticket was held: %d", st)
	}
	if v := e.view(id); v.Stage != complaint.StageDisposed || v.ReopenCount != 1 {
		t.Fatalf("after disagree: %s, reopened %d", v.Stage, v.ReopenCount)
	}
	if st := e.ticketStatus(id); st != "open" {
		t.Fatalf("after disagree the ticket is %s", st)
	}
}

// The scheduler's close of a complaint whose ticket cannot close now
// leaves both as they were, and does not hold back the next complaint due:
// it is closed in the same tick; the first closes at a later tick.
func TestAutoCloseGoesPastOneThatFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	phone := "081255566688"
	var ids []int64
	for i := 0; i < 2; i++ {
		tn := e.pub.Complaint(map[string]string{"name": "Wati", "phone": phone, "category": "pendaftaran",
			"description": fmt.Sprintf("Pengaduan %d: pencairan insentif belum masuk.", i)})
		id := e.ticketID(tn)
		ids = append(ids, id)
		e.act(e.admin, id, "dispose", map[string]any{"unit": "unit-insentif", "note": "Mohon dicek."}, http.StatusOK)
		e.act(e.admin, id, "answer", map[string]any{"answer": "Sudah dicairkan."}, http.StatusOK)
		e.act(e.admin, id, "publish", nil, http.StatusOK)
	}
	d, err := db.Open(context.Background(), db.Config{URL: e.cfg.DatabaseURL, DataDir: e.cfg.DataDir}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	// The first due is the first published: its ticket's close is refused.
	allow := refuseAudit(t, d, fmt.Sprintf(`NEW.ticket_id = %d AND NEW.detail LIKE '%%complaint closed after its follow-up%%'`, ids[0]))
	later := time.Now().AddDate(0, 3, 0)
	if r := e.tick(later); r.Closed != 1 {
		t.Fatalf("closed %d in the tick, want the one that could close", r.Closed)
	}
	if v := e.view(ids[0]); v.Stage != complaint.StageFollowedUp {
		t.Fatalf("the refused one is at %s, want it still followed up", v.Stage)
	}
	if st := e.ticketStatus(ids[0]); st == "closed" {
		t.Fatal("the refused one's ticket closed")
	}
	if v := e.view(ids[1]); v.Stage != complaint.StageClosed {
		t.Fatalf("the next one is at %s, want closed in the same tick", v.Stage)
	}
	allow()
	if r := e.tick(later); r.Closed != 1 {
		t.Fatalf("closed %d at the next tick, want the first", r.Closed)
	}
	if st := e.ticketStatus(ids[0]); st != "closed" {
		t.Fatalf("the first ticket is %s at the next tick", st)
	}
}
