package app_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tanggap/internal/apptest"
)

// The settings changed outside /api/v1/admin are audited like the admin
// screens' (who, what, when, the body with passwords removed): an
// account added, the tag list, shared canned replies and macros; a
// refused change is not.
func TestSettingsChangesAudited(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := func(res apptest.Response, what string) string { t.Helper(); return createdID(t, res, what) }
	check := func(action, detailPart string) {
		t.Helper()
		if !audited(t, admin, action, detailPart) {
			t.Errorf("no audit line %s with %q", action, detailPart)
		}
	}

	id(admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "rina@tanggap.test", "name": "Rina",
		"password": "rahasia-rina-1", "capacity": 5}), "add an agent")
	check("settings.post.agents", `"rina@tanggap.test"`)
	if audited(t, admin, "settings.post.agents", "rahasia-rina-1") {
		t.Error("the new agent's password is in the audit log")
	}

	tag := id(admin.Do(http.MethodPost, "/api/v1/tags", map[string]any{"name": "dokumen"}), "add a tag")
	check("settings.post.tags", `"dokumen"`)

	canned := id(admin.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam", "shortcut": "salam",
		"body": "Halo {{citizen_name}}", "shared": true}), "add a shared canned reply")
	check("settings.post.canned-responses", `"Salam"`)
	id(admin.Do(http.MethodPut, "/api/v1/canned-responses/"+canned, map[string]any{"title": "Salam pagi", "shortcut": "salam",
		"body": "Selamat pagi {{citizen_name}}", "shared": true}), "change it")
	check("settings.put.canned-responses", `"Salam pagi"`)

	macro := id(admin.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Tandai dokumen", "tags": []string{"dokumen"},
		"shared": true}), "add a macro")
	check("settings.post.macros", `"Tandai dokumen"`)
	if res := admin.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Tanpa aksi", "shared": true}); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("a macro that does nothing: %d %s", res.Status, res.Body)
	}
	if audited(t, admin, "settings.post.macros", "Tanpa aksi") {
		t.Error("a refused macro was audited")
	}
	if res := admin.Do(http.MethodDelete, "/api/v1/macros/"+macro, nil); res.Status >= 300 {
		t.Fatalf("delete the macro: %d %s", res.Status, res.Body)
	}
	check("settings.delete.macros", "/api/v1/macros/"+macro)
	if res := admin.Do(http.MethodDelete, "/api/v1/canned-responses/"+canned, nil); res.Status >= 300 {
		t.Fatalf("delete the canned reply: %d %s", res.Status, res.Body)
	}
	check("settings.delete.canned-responses", "/api/v1/canned-responses/"+canned)
	if res := admin.Do(http.MethodDelete, "/api/v1/tags/"+tag, nil); res.Status >= 300 {
		t.Fatalf("delete the tag: %d %s", res.Status, res.Body)
	}
	check("settings.delete.tags", "/api/v1/tags/"+tag)
	// The line names the tag that went, not "#id".
	if _, summary, _ := newestAudit(t, admin, "settings.delete.tags", "id-ID"); summary != "Tag dihapus: dokumen" {
		t.Errorf("the deleted tag's line reads %q, want it named", summary)
	}

	// The audit screen's "what" filter finds them by prefix.
	var out auditList
	admin.Do(http.MethodGet, "/api/v1/admin/audit?action=settings.", nil).JSON(t, &out)
	for _, e := range out.Entries {
		if !strings.HasPrefix(e.Action, "settings.") {
			t.Errorf("filter settings. gave %s", e.Action)
		}
	}
	if len(out.Entries) != 8 {
		t.Errorf("%d settings changes in the audit log, want 8", len(out.Entries))
	}
}

// createdID is the id of what an admin call created or changed: the
// answer's "id", or the "id" of the one object it holds ({"tag": {…}}).
// A refused call fails the test.
func createdID(t *testing.T, res apptest.Response, what string) string {
	t.Helper()
	if res.Status >= 300 {
		t.Fatalf("%s: %d %s", what, res.Status, res.Body)
	}
	var top map[string]json.RawMessage
	res.JSON(t, &top)
	var id int64
	if raw, ok := top["id"]; ok {
		if err := json.Unmarshal(raw, &id); err != nil {
			t.Fatalf("%s: id %s: %v", what, raw, err)
		}
		return strconv.FormatInt(id, 10)
	}
	var ids []int64
	for _, raw := range top {
		var inner struct {
			ID int64 `json:"id"`
		}
		if json.Unmarshal(raw, &inner) == nil && inner.ID != 0 {
			ids = append(ids, inner.ID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s: %d objects with an id in %s, want one", what, len(ids), res.Body)
	}
	return strconv.FormatInt(ids[0], 10)
}
