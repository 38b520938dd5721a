package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"tanggap/internal/apptest"
)

// A complaint category an admin adds is named by its label on every page
// (the console's ticket details and lists, the status page), not by its
// code: the pages carry the categories' labels with their texts.
func TestAddedCategoryNamedOnThePages(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := admin.Do(http.MethodPost, "/api/v1/admin/complaint-categories", map[string]any{"code": "bansos",
		"label_id": "Bantuan sosial", "label_en": "Social aid", "position": 9, "active": true}); r.Status/100 != 2 {
		t.Fatalf("add a category: %d %s", r.Status, r.Body)
	}
	for path, want := range map[string]string{"/console?lang=en-US": "Social aid", "/pengaduan/status?lang=id-ID": "Bantuan sosial"} {
		res, err := http.Get(a.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), `"category.bansos":"`+want+`"`) {
			t.Errorf("%s: the page's texts do not name category bansos %q", path, want)
		}
	}
}
