package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tanggap/internal/apptest"
)

// The account and not-ready-reason screens over HTTP: an admin resets an
// agent's password (the old one stops working at once, and so does the
// agent's open session), deactivates and reactivates the account; adds a
// not-ready reason that agents then pick, refuses a second reason with
// the same code beside its field (in both languages), retires it (an
// agent can no longer pick it); each change audited.
func TestAdminAccountsAndReasons(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "andi@tanggap.test", "name": "Andi",
		"password": "rahasia-andi-1", "capacity": 3})
	if res.Status != http.StatusCreated {
		t.Fatalf("add an agent: %d %s", res.Status, res.Body)
	}
	var created struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	res.JSON(t, &created)
	path := "/api/v1/admin/agents/" + strconv.FormatInt(created.Agent.ID, 10)
	andi := apptest.NewClient(t, a.URL())
	andi.Login("andi@tanggap.test", "rahasia-andi-1")
	login := func(password string) int {
		return apptest.NewClient(t, a.URL()).Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "andi@tanggap.test", "password": password}).Status
	}

	// Reset password: the old password and the open session end.
	if res := admin.Do(http.MethodPost, path+"/password", map[string]string{"password": "baru-andi-2027"}); res.Status != http.StatusOK {
		t.Fatalf("reset password: %d %s", res.Status, res.Body)
	}
	if st := login("rahasia-andi-1"); st != http.StatusUnauthorized {
		t.Errorf("the old password after a reset: %d, want 401", st)
	}
	if st := andi.Do(http.MethodGet, "/api/v1/auth/me", nil).Status; st != http.StatusUnauthorized {
		t.Errorf("the open session after a reset: %d, want 401", st)
	}
	if st := login("baru-andi-2027"); st != http.StatusOK {
		t.Errorf("the new password: %d, want 200", st)
	}
	if audited(t, admin, "admin.post.agents", "baru-andi-2027") || !audited(t, admin, "admin.post.agents", path+"/password") {
		t.Error("the reset is not audited, or its password is in the log")
	}

	// Deactivate, then reactivate: sign-in refused, then allowed again.
	if res := admin.Do(http.MethodPost, path+"/deactivate", nil); res.Status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", res.Status, res.Body)
	}
	if st := login("baru-andi-2027"); st != http.StatusUnauthorized {
		t.Errorf("sign-in of a deactivated account: %d, want 401", st)
	}
	if res := admin.Do(http.MethodPost, path+"/reactivate", nil); res.Status != http.StatusOK {
		t.Fatalf("reactivate: %d %s", res.Status, res.Body)
	}
	if st := login("baru-andi-2027"); st != http.StatusOK {
		t.Errorf("sign-in after reactivation: %d, want 200", st)
	}
	andi.Login("andi@tanggap.test", "baru-andi-2027")

	// Not-ready reasons: the defaults, a new one agents can pick.
	var list struct {
		Reasons []struct {
			ID      int64  `json:"id"`
			Code    string `json:"code"`
			Retired bool   `json:"retired"`
		} `json:"reasons"`
	}
	admin.Do(http.MethodGet, "/api/v1/admin/not-ready-reasons", nil).JSON(t, &list)
	if len(list.Reasons) != 5 {
		t.Errorf("default reasons = %+v, want five", list.Reasons)
	}
	res = admin.Do(http.MethodPost, "/api/v1/admin/not-ready-reasons", map[string]any{"code": "coaching", "label_id": "Pendampingan",
		"label_en": "Coaching", "limit_seconds": 1800, "position": 6})
	if res.Status != http.StatusCreated {
		t.Fatalf("add a reason: %d %s", res.Status, res.Body)
	}
	var saved struct {
		Reason struct {
			ID int64 `json:"id"`
		} `json:"reason"`
	}
	res.JSON(t, &saved)
	if !audited(t, admin, "admin.post.not-ready-reasons", `"coaching"`) {
		t.Error("adding a reason was not audited")
	}
	if res := andi.Do(http.MethodPut, "/api/v1/agents/me/state", map[string]string{"presence": "away", "reason": "coaching"}); res.Status != http.StatusOK {
		t.Errorf("an agent picks the new reason: %d %s", res.Status, res.Body)
	}
	for lang, want := range map[string]string{"id-ID": "Kode ini sudah dipakai alasan lain.", "en-US": "Another reason already uses this code."} {
		admin.Lang = lang
		res := admin.Do(http.MethodPost, "/api/v1/admin/not-ready-reasons", map[string]any{"code": "coaching", "label_id": "Lagi", "label_en": "Again"})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"code"`) || !strings.Contains(string(res.Body), want) {
			t.Errorf("a second reason coded coaching (%s): %d %s", lang, res.Status, res.Body)
		}
	}
	admin.Lang = ""
	if res := admin.Do(http.MethodPost, "/api/v1/admin/not-ready-reasons", map[string]any{"code": "", "label_id": "", "label_en": ""}); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(res.Body), "label_id") || !strings.Contains(string(res.Body), "label_en") {
		t.Errorf("an empty reason: %d %s", res.Status, res.Body)
	}

	// Retired: kept for the record (the admin list), no longer offered.
	rpath := "/api/v1/admin/not-ready-reasons/" + strconv.FormatInt(saved.Reason.ID, 10)
	if res := admin.Do(http.MethodPut, rpath, map[string]any{"code": "coaching", "label_id": "Pendampingan", "label_en": "Coaching",
		"limit_seconds": 1800, "position": 6, "retired": true}); res.Status != http.StatusOK {
		t.Fatalf("retire the reason: %d %s", res.Status, res.Body)
	}
	var offered struct {
		Reasons []struct {
			Code string `json:"code"`
		} `json:"reasons"`
	}
	andi.Do(http.MethodGet, "/api/v1/not-ready-reasons", nil).JSON(t, &offered)
	for _, r := range offered.Reasons {
		if r.Code == "coaching" {
			t.Error("a retired reason is still offered to agents")
		}
	}
	if res := andi.Do(http.MethodPut, "/api/v1/agents/me/state", map[string]string{"presence": "away", "reason": "coaching"}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("an agent picks a retired reason: %d %s", res.Status, res.Body)
	}
	if res := admin.Do(http.MethodPut, "/api/v1/admin/not-ready-reasons/999999", map[string]any{"code": "x", "label_id": "x", "label_en": "x"}); res.Status != http.StatusNotFound {
		t.Errorf("an unknown reason: %d", res.Status)
	}
	if res := andi.Do(http.MethodPost, "/api/v1/admin/not-ready-reasons", map[string]any{"code": "tidur", "label_id": "Tidur", "label_en": "Sleep"}); res.Status != http.StatusForbidden {
		t.Errorf("an agent adds a reason: %d, want 403", res.Status)
	}
}
