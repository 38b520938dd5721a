package complaint_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tanggap/internal/apperr"
	"tanggap/internal/complaint"
	"tanggap/internal/locale"
)

// apiError is the API's error shape.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (e *env) ticketStatus(id int64) string {
	e.t.Helper()
	var tk struct{ Status string }
	e.admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(e.t, &tk)
	return tk.Status
}

// refused checks that a PATCH of the ticket's status answers 409
// complaint_in_progress naming the stage, and changes nothing.
func (e *env) refused(id int64, status string, stage complaint.Stage, want string) {
	e.t.Helper()
	before := e.ticketStatus(id)
	res := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": status})
	var body apiError
	res.JSON(e.t, &body)
	if res.Status != http.StatusConflict || body.Error.Code != apperr.CodeComplaintInProgress || body.Error.Message != want {
		e.t.Fatalf("%s at %s: %d %s, want 409 %s %q", status, stage, res.Status, res.Body, apperr.CodeComplaintInProgress, want)
	}
	if got := e.ticketStatus(id); got != before {
		e.t.Fatalf("%s refused at %s, yet the ticket went from %s to %s", status, stage, before, got)
	}
}

func TestStatusHeldUntilTheLifecycleEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	phone := "081277712345"
	var ids []int64
	var tns []string
	for i := 0; i < 3; i++ {
		tn := e.pub.Complaint(map[string]string{"name": "Rina", "phone": phone, "category": "pendaftaran",
			"description": fmt.Sprintf("Pengaduan %d: pendaftaran saya ditolak tanpa alasan.", i)})
		tns = append(tns, tn)
		ids = append(ids, e.ticketID(tn))
	}
	held := func(st complaint.Stage) string { return cat.T(locale.Default, complaint.HeldKey(st)) }

	// Awaiting verification: neither solved nor closed, by the status
	// route or by a bulk action, and the panel says the status is held.
	e.refused(ids[0], "solved", complaint.StageVerification, held(complaint.StageVerification))
	e.refused(ids[0], "closed", complaint.StageVerification, held(complaint.StageVerification))
	if !strings.Contains(held(complaint.StageVerification), "tahap verifikasi") || !strings.Contains(held(complaint.StageVerification), "panel pengaduan") {
		t.Fatalf("the refusal does not name the stage and the way out: %q", held(complaint.StageVerification))
	}
	e.admin.Lang = "en-US"
	res := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ids[0]), map[string]string{"status": "solved"})
	var en apiError
	res.JSON(t, &en)
	if en.Error.Message != cat.T("en-US", complaint.HeldKey(complaint.StageVerification)) || !strings.Contains(en.Error.Message, "awaiting verification") {
		t.Fatalf("en-US refusal: %s", res.Body)
	}
	e.admin.Lang = ""
	if v := e.view(ids[0]); !v.StatusHeld {
		t.Fatalf("panel at verification: status_held false")
	}
	for _, status := range []string{"solved", "closed"} {
		var bulk struct {
			Results []struct {
				ID      int64  `json:"id"`
				OK      bool   `json:"ok"`
				Status  int    `json:"status"`
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"results"`
			Done int `json:"done"`
		}
		res := e.admin.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": ids[:2], "action": "status", "status": status})
		res.JSON(t, &bulk)
		if res.Status != http.StatusOK || bulk.Done != 0 || len(bulk.Results) != 2 {
			t.Fatalf("bulk %s: %d %s", status, res.Status, res.Body)
		}
		for _, r := range bulk.Results {
			if r.OK || r.Status != http.StatusConflict || r.Code != apperr.CodeComplaintInProgress || r.Message != held(complaint.StageVerification) {
				t.Fatalf("bulk %s of ticket %d: %+v", status, r.ID, r)
			}
		}
	}
	for _, id := range ids[:2] {
		if st := e.ticketStatus(id); st == "solved" || st == "closed" {
			t.Fatalf("ticket %d %s after refused bulk actions", id, st)
		}
	}

	// Every stage before the end holds it, each with its own way out.
	e.act(e.admin, ids[0], "verify", nil, http.StatusOK)
	e.refused(ids[0], "solved", complaint.StageVerified, held(complaint.StageVerified))
	e.act(e.admin, ids[0], "dispose", map[string]any{"unit": "unit-insentif", "note": "Mohon dicek."}, http.StatusOK)
	e.refused(ids[0], "solved", complaint.StageDisposed, held(complaint.StageDisposed))
	e.act(e.admin, ids[0], "answer", map[string]any{"answer": "Pendaftaran Anda sudah dibuka kembali."}, http.StatusOK)
	e.refused(ids[0], "solved", complaint.StageAnswered, held(complaint.StageAnswered))
	v := e.act(e.admin, ids[0], "publish", nil, http.StatusOK)
	if len(v.HeldStatuses) != 1 || v.HeldStatuses[0] != "closed" {
		t.Fatalf("published follow-up holds %v, want closed only", v.HeldStatuses)
	}

	// The answer is published: the ticket may be solved (the citizen has
	// their answer), not closed while they may still disagree.
	e.refused(ids[0], "closed", complaint.StageFollowedUp, held(complaint.StageFollowedUp))
	if res := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ids[0]), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve on the published follow-up: %d %s", res.Status, res.Body)
	}
	e.refused(ids[0], "closed", complaint.StageFollowedUp, held(complaint.StageFollowedUp))
	// The citizen disagrees: the complaint goes back to its unit and the
	// ticket is worked again, held until the next follow-up.
	if res := e.pub.Do(http.MethodPost, "/api/v1/complaints/"+tns[0]+"/disagree", map[string]string{"contact": phone, "reason": "Pendaftaran masih ditolak."}); res.Status != http.StatusAccepted {
		t.Fatalf("disagree: %d %s", res.Status, res.Body)
	}
	if st := e.ticketStatus(ids[0]); st != "open" {
		t.Fatalf("ticket %s after the citizen disagreed, want open", st)
	}
	e.refused(ids[0], "solved", complaint.StageDisposed, held(complaint.StageDisposed))
	e.act(e.admin, ids[1], "ask_complete", map[string]any{"note": "Mohon lampirkan bukti pendaftaran."}, http.StatusOK)
	e.refused(ids[1], "solved", complaint.StageIncomplete, held(complaint.StageIncomplete))

	// The lifecycle's own ends close the ticket (archive here).
	if v := e.act(e.admin, ids[1], "archive", map[string]any{"reason": "duplicate"}, http.StatusOK); v.StatusHeld {
		t.Fatalf("archived complaint still holds its status: %+v", v)
	}
	if st := e.ticketStatus(ids[1]); st != "closed" {
		t.Fatalf("archived complaint's ticket %s, want closed", st)
	}

	// At a final stage whose ticket the lifecycle could not close (the
	// step was recorded, the close failed), an agent solves or closes it.
	d := e.openDB()
	e.view(ids[2]) // linked now, if the scheduler has not yet
	if err := d.Exec(`UPDATE complaints SET stage = 'not_authority' WHERE ticket_id = ?`, ids[2]).Error; err != nil {
		t.Fatal(err)
	}
	if v := e.view(ids[2]); v.StatusHeld {
		t.Fatalf("final stage: %+v", v)
	}
	for _, status := range []string{"solved", "closed"} {
		if res := e.admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ids[2]), map[string]string{"status": status}); res.Status != http.StatusOK {
			t.Fatalf("%s at a final stage: %d %s", status, res.Status, res.Body)
		}
	}

	// A ticket solved before its status was held (older data) is not
	// shown to the citizen as solved, nor offered a rating.
	if err := d.Exec(`UPDATE tickets SET status = 'solved', solved_at = CURRENT_TIMESTAMP WHERE id = ?`, ids[0]).Error; err != nil {
		t.Fatal(err)
	}
	var page struct {
		Status      string `json:"status"`
		StatusLabel string `json:"status_label"`
		CSAT        string `json:"csat"`
	}
	e.pub.Do(http.MethodGet, "/api/v1/complaints/"+tns[0]+"?contact="+phone, nil).JSON(t, &page)
	if page.Status == "solved" || page.StatusLabel == cat.T(locale.Default, "status.solved") || page.CSAT != "" {
		t.Fatalf("status page of a complaint at %s: %+v", complaint.StageDisposed, page)
	}
}

// Every stage that is not final has its refusal in every language.
func TestHeldTextsForEveryOpenStage(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []complaint.Stage{complaint.StageVerification, complaint.StageIncomplete, complaint.StageVerified,
		complaint.StageDisposed, complaint.StageAnswered, complaint.StageFollowedUp, complaint.StageClosed,
		complaint.StageNotAuthority, complaint.StageArchived} {
		if st.Final() {
			continue
		}
		for _, lang := range locale.Languages() {
			if !cat.Has(lang, complaint.HeldKey(st)) {
				t.Errorf("%s lacks %s", lang, complaint.HeldKey(st))
			}
		}
	}
	for _, lang := range locale.Languages() {
		for _, k := range []string{"lifecycle.adopt.inactive_solved", "lifecycle.adopt.inactive_closed"} {
			if !cat.Has(lang, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}
