package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tanggap/channels/voice"
	"tanggap/internal/apptest"
	"tanggap/internal/locale"
)

// The IVR menu's problems on the admin screen are told in the admin's
// language (the console's choice, as on every admin screen), each with
// its line and path; the refusal's headline too.
func TestAdminIVRMenuProblemsInTheAdminsLanguage(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	broken := strings.Replace(string(voice.DefaultMenu), `"4": {action: callback}`, `"4": {action: callbak}`, 1)
	line := lineOf(broken, "callbak")
	for _, c := range []struct{ lang, want, headline string }{
		{"id-ID", fmt.Sprintf(`Baris %d, menus.main.options.4: tindakan "callbak" tidak dikenal`, line), "Menu IVR tidak valid (1 masalah)."},
		{"en-US", fmt.Sprintf(`Line %d, menus.main.options.4: unknown action "callbak"`, line), "The IVR menu is not valid (1 problems)."},
	} {
		for _, call := range []struct{ method, path string }{{http.MethodPost, "/api/v1/ivr-menu/check"}, {http.MethodPut, "/api/v1/admin/ivr-menu"}} {
			var refused struct {
				Error struct {
					Message  string              `json:"message"`
					Problems []voice.MenuProblem `json:"problems"`
				} `json:"error"`
			}
			res := admin.Do(call.method, call.path+"?lang="+c.lang, map[string]string{"body": broken})
			res.JSON(t, &refused)
			if res.Status != http.StatusUnprocessableEntity || len(refused.Error.Problems) != 1 {
				t.Fatalf("%s %s: %d %s", c.lang, call.path, res.Status, res.Body)
			}
			p := refused.Error.Problems[0]
			if p.Message != c.want || p.Line != line || p.Path != "menus.main.options.4" || p.Key != "ivr.problem.action_unknown" {
				t.Errorf("%s %s: problem %+v, want %q", c.lang, call.path, p, c.want)
			}
			if refused.Error.Message != c.headline || refused.Error.Message != cat.T(c.lang, "admin.ivr_invalid", "n", 1) {
				t.Errorf("%s %s: headline %q", c.lang, call.path, refused.Error.Message)
			}
		}
	}
}
