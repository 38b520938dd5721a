package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserAdminSectionsFollowTheRole: the admin area lists only the
// sections the signed-in role may open. A role that manages accounts but
// may not read the audit sees the accounts and nothing else (no audit
// log, no unreadable items, no queues); a role that manages queues and
// reads the audit sees those sections and opens on the first of them, not
// on the accounts it may not list. A role that manages accounts but reads
// no reports gets the board tab all the same, with the admin area and
// without the queue board, whose figures it never asks for.
func TestBrowserAdminSectionsFollowTheRole(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	sh := newShots(t)
	tx := texts(t)
	for _, c := range []struct {
		role, email string
		perms       []string
		want        []string // the admin area's sections, in order
		first       string   // the section shown when the area opens
	}{
		{"penata_akun", "akun@tanggap.example", []string{"tickets.work", "reports.view", "admin.agents"}, []string{"agents"}, "agents"},
		{"pengatur", "atur@tanggap.example", []string{"tickets.work", "reports.view", "admin.queues", "audit.view"},
			[]string{"queues", "holidays", "reasons", "audit", "categories", "ivr", "refused", "watemplates"}, "queues"},
		{"akun_saja", "akunsaja@tanggap.example", []string{"tickets.work", "admin.agents"}, []string{"agents"}, "agents"},
	} {
		reports := false
		for _, p := range c.perms {
			reports = reports || p == "reports.view"
		}
		if r := admin.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": c.role, "label": c.role, "permissions": c.perms}); r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("create role %s: %d %s", c.role, r.Status, r.Body)
		}
		if r := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": c.email, "name": c.role, "password": "rahasia-" + c.role + "-1",
			"role": c.role, "queues": []string{"umum"}, "capacity": 3}); r.Status != http.StatusCreated {
			t.Fatalf("create agent %s: %d %s", c.email, r.Status, r.Body)
		}
		tb := newTab(t, root)
		tb.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
		tb.signIn(t, base+"/console?lang=id-ID", c.email, "rahasia-"+c.role+"-1")
		tb.waitJS(t, "the board tab offered", `!document.getElementById('console-tabs').hidden`)
		tb.openBoard(t)
		tb.waitJS(t, c.role+": the admin area drawn", `!document.getElementById('admin-mount').hidden && !!document.querySelector('#admin-mount .admin-nav button')`)
		got := tb.evalString(t, `[...document.querySelectorAll('#admin-mount .admin-nav button')].map(b => b.dataset.section).join(',')`)
		if got != strings.Join(c.want, ",") {
			t.Errorf("%s sees the sections %s, want %s", c.role, got, strings.Join(c.want, ","))
		}
		tb.waitJS(t, c.role+": the first section open", fmt.Sprintf(`document.querySelector('#admin-mount .admin-nav button[aria-pressed="true"]').dataset.section === %q`, c.first))
		if shown := !tb.evalBool(t, `document.getElementById('board-queues').hidden`); shown != reports {
			t.Errorf("%s: the queue board shown %v, want %v (reports.view)", c.role, shown, reports)
		}
		// Without the queue board the tab is not named after the queues.
		wantTab := map[bool]string{true: tx("board.tab_queues"), false: tx("board.tab_manage")}[reports]
		if got := tb.text(t, "#tab-board"); got != wantTab {
			t.Errorf("%s: the board tab is named %q, want %q", c.role, got, wantTab)
		}
		if !reports {
			// The admin area opens the tab: no rule and empty band above it.
			if gap := tb.evalString(t, `(() => { const v = document.getElementById('board-view'), a = document.getElementById('admin-mount');
				return String(Math.round(a.getBoundingClientRect().top - v.getBoundingClientRect().top - parseFloat(getComputedStyle(v).paddingTop))) + ' ' + getComputedStyle(a).borderTopWidth; })()`); gap != "0 0px" {
				t.Errorf("%s: the admin area starts %s (px below the tab's padding, rule above it), want 0 0px", c.role, gap)
			}
			sh.take(t, tb, "board-without-reports-"+c.role)
			tb.do(t, "a phone", chromedp.EmulateViewport(390, 844))
			sh.take(t, tb, "board-without-reports-"+c.role+"-phone")
			if asked := tb.evalBool(t, `performance.getEntriesByType('resource').some((e) => /\/api\/v1\/queues\/(metrics|sla)/.test(e.name))`); asked {
				t.Errorf("%s: the console asked for the queue figures a role without reports.view may not read", c.role)
			}
		}
		tb.checkConsole(t)
	}
}
