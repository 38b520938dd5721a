package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tanggap/channels/voice"
	"tanggap/internal/apptest"
)

type auditList struct {
	Entries []struct {
		Action string `json:"action"`
		Detail string `json:"detail"`
	} `json:"entries"`
}

func audited(t *testing.T, admin *apptest.Client, action, detailPart string) bool {
	t.Helper()
	var out auditList
	admin.Do(http.MethodGet, "/api/v1/admin/audit?action="+action, nil).JSON(t, &out)
	for _, e := range out.Entries {
		if e.Action == action && strings.Contains(e.Detail, detailPart) {
			return true
		}
	}
	return false
}

// Complaint categories on the admin screen: seeded from the
// configuration (labels from the translations, sensitivity from
// COMPLAINT_SENSITIVE_CATEGORIES); a bad one is refused field by field; a
// new one is offered on the public form at once, audited; a hidden one
// leaves the form; a sensitive one makes complaints confidential by
// default; only admins may change them.
func TestAdminComplaintCategories(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.Complaint.SensitiveCategories = []string{"insentif"}
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)

	var list struct {
		Categories []struct {
			ID        int64  `json:"id"`
			Code      string `json:"code"`
			LabelID   string `json:"label_id"`
			LabelEN   string `json:"label_en"`
			Sensitive bool   `json:"sensitive"`
			Active    bool   `json:"active"`
		} `json:"categories"`
	}
	admin.Do(http.MethodGet, "/api/v1/admin/complaint-categories", nil).JSON(t, &list)
	if len(list.Categories) != len(cfg.ComplaintCategories) {
		t.Fatalf("seeded %d categories, configured %d", len(list.Categories), len(cfg.ComplaintCategories))
	}
	for _, c := range list.Categories {
		if c.LabelID == "" || c.LabelEN == "" || !c.Active || c.Sensitive != (c.Code == "insentif") {
			t.Errorf("seeded %+v", c)
		}
	}

	res := admin.Do(http.MethodPost, "/api/v1/admin/complaint-categories", map[string]any{"code": "Bad Code!", "label_id": "", "label_en": "x", "position": -1})
	var refused struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	res.JSON(t, &refused)
	if res.Status != http.StatusUnprocessableEntity || refused.Error.Fields["code"] == "" || refused.Error.Fields["label_id"] == "" || refused.Error.Fields["position"] == "" {
		t.Fatalf("bad category: %d %s", res.Status, res.Body)
	}
	res = admin.Do(http.MethodPost, "/api/v1/admin/complaint-categories", map[string]any{"code": "pelatihan", "label_id": "Lagi", "label_en": "Again"})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"code"`) {
		t.Fatalf("duplicate code: %d %s", res.Status, res.Body)
	}

	res = admin.Do(http.MethodPost, "/api/v1/admin/complaint-categories", map[string]any{"code": "bansos", "label_id": "Bantuan sosial", "label_en": "Social aid", "sensitive": true, "active": true, "position": 0})
	if res.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	var added struct {
		Category struct {
			ID int64 `json:"id"`
		} `json:"category"`
	}
	res.JSON(t, &added)
	if !audited(t, admin, "admin.post.complaint-categories", `"bansos"`) {
		t.Error("adding a category was not audited")
	}

	citizen := apptest.NewClient(t, a.URL())
	formCats := func(lang string) []struct{ Code, Label string } {
		citizen.Lang = lang
		var out []struct{ Code, Label string }
		citizen.Do(http.MethodGet, "/api/v1/complaints/categories", nil).JSON(t, &out)
		return out
	}
	if got := formCats("id-ID"); len(got) == 0 || got[0].Code != "bansos" || got[0].Label != "Bantuan sosial" {
		t.Fatalf("form categories (id-ID) = %+v, want bansos first", got)
	}
	if got := formCats("en-US"); got[0].Label != "Social aid" {
		t.Errorf("form categories (en-US) = %+v", got)
	}
	var opts struct {
		Sensitive []string `json:"sensitive_categories"`
	}
	citizen.Do(http.MethodGet, "/api/v1/complaints/form/options", nil).JSON(t, &opts)
	if !strings.Contains(strings.Join(opts.Sensitive, ","), "bansos") {
		t.Errorf("sensitive categories = %v, want bansos", opts.Sensitive)
	}

	// Hidden: off the form, refused on submit, audited.
	res = admin.Do(http.MethodPut, "/api/v1/admin/complaint-categories/"+strconv.FormatInt(added.Category.ID, 10), map[string]any{"code": "bansos", "label_id": "Bantuan sosial", "label_en": "Social aid", "active": false, "position": 0})
	if res.Status != http.StatusOK {
		t.Fatalf("hide: %d %s", res.Status, res.Body)
	}
	for _, c := range formCats("id-ID") {
		if c.Code == "bansos" {
			t.Error("a hidden category is still on the form")
		}
	}
	res = citizen.Do(http.MethodPost, "/api/v1/complaints", map[string]string{"name": "Rina", "phone": "081234567890", "category": "bansos", "description": "Bantuan belum cair."})
	if res.Status != http.StatusUnprocessableEntity {
		t.Errorf("complaint in a hidden category: %d %s", res.Status, res.Body)
	}
	if !audited(t, admin, "admin.put.complaint-categories", `{"field":"active","from":true,"to":false}`) {
		t.Error("hiding a category was not audited")
	}
	if res := admin.Do(http.MethodPut, "/api/v1/admin/complaint-categories/999999", map[string]any{"code": "x", "label_id": "x", "label_en": "x"}); res.Status != http.StatusNotFound {
		t.Errorf("unknown category: %d", res.Status)
	}
	if res := citizen.Do(http.MethodGet, "/api/v1/admin/complaint-categories", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("categories without a session: %d", res.Status)
	}
}

// The IVR menu on the admin screen: the configured menu in force as a
// tree; a broken one refused with every problem on its path and line,
// nothing applied, nothing audited; a valid one applied (audited) and in
// force for the next look.
func TestAdminIVRMenu(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)

	var st voice.MenuState
	admin.Do(http.MethodGet, "/api/v1/admin/ivr-menu", nil).JSON(t, &st)
	if st.Version != 0 || st.Tree.Start != "main" || len(st.Tree.Menus) == 0 || st.Tree.Menus[0].ID != "main" || !strings.Contains(st.Source, "menus:") {
		t.Fatalf("menu in force: %+v", st.Tree)
	}

	broken := strings.Replace(string(voice.DefaultMenu), `"4": {action: callback}`, `"4": {action: callbak}`, 1)
	broken = strings.Replace(broken, "timeout: 6 ", "timeout: 60 ", 1)
	var refused struct {
		Error struct {
			Message  string              `json:"message"`
			Problems []voice.MenuProblem `json:"problems"`
		} `json:"error"`
	}
	for _, path := range []string{"/api/v1/ivr-menu/check", "/api/v1/admin/ivr-menu"} {
		method := http.MethodPost
		if strings.Contains(path, "admin") {
			method = http.MethodPut
		}
		res := admin.Do(method, path, map[string]string{"body": broken})
		res.JSON(t, &refused)
		if res.Status != http.StatusUnprocessableEntity || len(refused.Error.Problems) != 2 || refused.Error.Message == "" {
			t.Fatalf("%s broken menu: %d %s", path, res.Status, res.Body)
		}
		byPath := map[string]int{}
		for _, p := range refused.Error.Problems {
			byPath[p.Path] = p.Line
		}
		if byPath["gather.timeout"] != lineOf(broken, "timeout: 60") || byPath["menus.main.options.4"] != lineOf(broken, `"4": {action: callbak}`) {
			t.Errorf("%s problems %+v, want lines %d and %d", path, refused.Error.Problems, lineOf(broken, "timeout: 60"), lineOf(broken, "callbak"))
		}
	}
	if audited(t, admin, "admin.put.ivr-menu", "") {
		t.Error("a refused menu was audited as applied")
	}
	res := admin.Do(http.MethodPut, "/api/v1/admin/ivr-menu", map[string]string{"body": "menus: [\n"})
	res.JSON(t, &refused)
	if res.Status != http.StatusUnprocessableEntity || len(refused.Error.Problems) != 1 || refused.Error.Problems[0].Line == 0 {
		t.Errorf("syntax error: %d %s", res.Status, res.Body)
	}

	fixed := strings.Replace(string(voice.DefaultMenu), `"4": {action: callback}`, `"4": {action: callback}
      "5": {action: hangup}`, 1)
	res = admin.Do(http.MethodPut, "/api/v1/admin/ivr-menu", map[string]string{"body": fixed})
	if res.Status != http.StatusOK {
		t.Fatalf("apply: %d %s", res.Status, res.Body)
	}
	admin.Do(http.MethodGet, "/api/v1/admin/ivr-menu", nil).JSON(t, &st)
	if st.Version == 0 || st.Source != fixed || len(st.Tree.Menus[0].Options) != 5 {
		t.Errorf("after apply: version %d, main options %+v", st.Version, st.Tree.Menus[0].Options)
	}
	if !audited(t, admin, "admin.put.ivr-menu", "PUT /api/v1/admin/ivr-menu") {
		t.Error("applying a menu was not audited")
	}
}

func lineOf(text, part string) int {
	i := strings.Index(text, part)
	if i < 0 {
		return -1
	}
	return strings.Count(text[:i], "\n") + 1
}
