package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tanggap/internal/apptest"
)

// asked is one thing an admin deletes, asked once more in its row.
type asked struct {
	name     string
	open     func(t *testing.T) // the screen that lists it, drawn
	control  string             // its delete button
	question string             // the question's id
	text     string             // what the question says
	row      string             // what a phone shot shows of it
	gone     string             // JS: no longer listed
	done     string             // JS: said and the focus where it goes
	exists   func(t *testing.T) bool
	during   func(t *testing.T) // done while the question is open (may be nil)
}

// TestBrowserAdminDeleteAsksFirst: deleting a tag, a role, a canned reply
// or a macro asks once more in its row, not in the browser's own dialog (whose
// buttons are not in the console's language): the question names what
// goes, the focus is on "Ya, hapus", which the question describes, and the
// delete button is gone meanwhile. Escape or "Batal" withdraws it, the
// focus back on the delete button, and the item is kept. Answered, the
// item is deleted, said, and the focus is on the screen's next step. The
// question fits a laptop and a 390 px phone, and the tag list, drawn again
// when a tag is pushed, keeps it.
func TestBrowserAdminDeleteAsksFirst(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	adminAPI := apptest.NewClient(t, base)
	adminAPI.Login(apptest.AdminEmail, apptest.AdminPassword)

	var tag struct {
		Tag struct {
			ID int64 `json:"id"`
		} `json:"tag"`
	}
	r := adminAPI.Do(http.MethodPost, "/api/v1/tags", map[string]string{"name": "arsip"})
	if r.Status != http.StatusCreated {
		t.Fatalf("tag: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &tag)
	if r := adminAPI.Do(http.MethodPost, "/api/v1/admin/roles", map[string]any{"name": "pengamat", "label": "Pengamat",
		"permissions": []string{"reports.view"}}); r.Status != http.StatusCreated {
		t.Fatalf("role: %d %s", r.Status, r.Body)
	}
	var reply struct {
		ID int64 `json:"id"`
	}
	r = adminAPI.Do(http.MethodPost, "/api/v1/canned-responses", map[string]any{"title": "Salam penutup", "lang": "id-ID",
		"body": "Terima kasih telah menghubungi kami."})
	if r.Status != http.StatusCreated {
		t.Fatalf("canned reply: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &reply)
	var macro struct {
		ID int64 `json:"id"`
	}
	r = adminAPI.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Tutup cepat", "status": "solved"})
	if r.Status != http.StatusCreated {
		t.Fatalf("macro: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &macro)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311118888", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	ticket := ticketIDs(t, adminAPI, tn)[tn]

	// names lists what the API holds at path: the name (json) of each
	// element of the list under key.
	names := func(t *testing.T, path, key, field string) []string {
		t.Helper()
		var out map[string]json.RawMessage
		adminAPI.Do(http.MethodGet, path, nil).JSON(t, &out)
		var list []map[string]any
		if err := json.Unmarshal(out[key], &list); err != nil {
			t.Fatalf("%s: %s: %v", path, key, err)
		}
		var got []string
		for _, x := range list {
			got = append(got, fmt.Sprint(x[field]))
		}
		return got
	}

	adm := openAdminBoard(t, root, base)
	for _, c := range []asked{{
		name: "a tag",
		open: func(t *testing.T) {
			adm.openBoard(t)
			adm.waitJS(t, "the tags listed", `document.getElementById('tags-admin-list').textContent.includes('arsip')`)
		},
		control:  fmt.Sprintf(`#tags-admin-list button.tag-remove[aria-label=%q]`, tx("tags.admin_remove", "name", "arsip")),
		question: fmt.Sprintf("tags-admin-remove-question-%d", tag.Tag.ID),
		text:     tx("tags.admin_remove_confirm", "name", "arsip"),
		row:      "#tags-admin-list",
		gone:     `!document.getElementById('tags-admin-list').textContent.includes('arsip')`,
		done: fmt.Sprintf(`document.getElementById('tags-admin-live').textContent === %q && %s`,
			tx("tags.saved"), focusedJS("#tags-admin-name")),
		exists: func(t *testing.T) bool { return slices.Contains(names(t, "/api/v1/tags", "tags", "name"), "arsip") },
		// A tag made by using it is pushed: the list is read and drawn
		// again, the question kept in its chip.
		during: func(t *testing.T) {
			if r := adminAPI.Do(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d/tags", ticket), map[string]any{"tags": []string{"darurat"}}); r.Status != http.StatusOK {
				t.Fatalf("tag a ticket: %d %s", r.Status, r.Body)
			}
			adm.waitLive(t, "the tag list drawn again", `document.getElementById('tags-admin-list').textContent.includes('darurat')`)
		},
	}, {
		name: "a role",
		open: func(t *testing.T) {
			adm.openBoard(t)
			adm.waitJS(t, "the roles listed", `!!document.querySelector('#roles-table tr[data-role="pengamat"]')`)
		},
		control:  `#roles-table button[data-act=delete][data-name=pengamat]`,
		question: "roles-delete-question-pengamat",
		text:     tx("roles.delete_confirm", "name", "Pengamat"),
		row:      `#roles-table tr[data-role="pengamat"]`,
		gone:     `!document.querySelector('#roles-table tr[data-role="pengamat"]')`,
		done: fmt.Sprintf(`document.getElementById('roles-live').textContent === %q && %s`,
			tx("roles.deleted", "name", "Pengamat"), focusedJS("#roles-new")),
		exists: func(t *testing.T) bool {
			return slices.Contains(names(t, "/api/v1/admin/roles", "roles", "name"), "pengamat")
		},
	}, {
		name: "a canned reply",
		open: func(t *testing.T) {
			adm.openTickets(t)
			adm.waitJS(t, "the canned-reply screen offered", `!document.getElementById('canned-admin-mount').hidden`)
			adm.do(t, "open it", chromedp.Evaluate[chromedp.Void](`document.getElementById('canned-admin-mount').open = true`))
			adm.waitJS(t, "the replies listed", fmt.Sprintf(`!!document.querySelector('#canned-admin-table tr[data-canned="%d"]')`, reply.ID))
		},
		control:  fmt.Sprintf(`#canned-admin-table button[data-delete="%d"]`, reply.ID),
		question: fmt.Sprintf("ca-delete-question-%d", reply.ID),
		text:     tx("canned_admin.confirm_delete", "name", "Salam penutup"),
		row:      fmt.Sprintf(`#canned-admin-table tr[data-canned="%d"]`, reply.ID),
		gone:     fmt.Sprintf(`!document.querySelector('#canned-admin-table tr[data-canned="%d"]')`, reply.ID),
		done: fmt.Sprintf(`document.getElementById('ca-live').textContent === %q && %s`,
			tx("canned_admin.deleted", "name", "Salam penutup"), focusedJS("#canned-admin-title")),
		exists: func(t *testing.T) bool {
			return slices.Contains(names(t, "/api/v1/canned-responses", "canned_responses", "title"), "Salam penutup")
		},
	}, {
		name: "a macro",
		open: func(t *testing.T) {
			adm.openTickets(t)
			adm.waitJS(t, "the canned-reply screen offered", `!document.getElementById('canned-admin-mount').hidden`)
			adm.do(t, "open it", chromedp.Evaluate[chromedp.Void](`document.getElementById('canned-admin-mount').open = true`))
			adm.waitJS(t, "the macros listed", fmt.Sprintf(`!!document.querySelector('#macro-admin-table tr[data-macro-row="%d"]')`, macro.ID))
		},
		control:  fmt.Sprintf(`#macro-admin-table button[data-macro="%d"]`, macro.ID),
		question: fmt.Sprintf("mc-delete-question-%d", macro.ID),
		text:     tx("canned_admin.confirm_delete", "name", "Tutup cepat"),
		row:      fmt.Sprintf(`#macro-admin-table tr[data-macro-row="%d"]`, macro.ID),
		gone:     fmt.Sprintf(`!document.querySelector('#macro-admin-table tr[data-macro-row="%d"]')`, macro.ID),
		done: fmt.Sprintf(`document.getElementById('mc-live').textContent === %q && %s`,
			tx("canned_admin.deleted", "name", "Tutup cepat"), focusedJS("#canned-admin-title")),
		exists: func(t *testing.T) bool {
			return slices.Contains(names(t, "/api/v1/macros", "macros", "name"), "Tutup cepat")
		},
	}} {
		t.Run(c.name, func(t *testing.T) {
			adm.do(t, "a laptop window", chromedp.EmulateViewport(1366, 800))
			c.open(t)
			q := "#" + c.question
			yes, no := q+" ~ .ask-answers [data-answer=yes]", q+" ~ .ask-answers [data-answer=no]"
			isAsked := fmt.Sprintf(`(q => !!q && q.textContent === %q && q.getClientRects().length > 0)(document.querySelector(%q))
				&& document.querySelector(%q)?.getAttribute('aria-describedby') === %q
				&& document.querySelector(%q)?.textContent === %q && document.querySelector(%q)?.textContent === %q
				&& !document.querySelector(%q) && %s`,
				c.text, q, yes, c.question, yes, tx("admin.delete_yes"), no, tx("admin.cancel"), c.control, focusedJS(yes))
			withdrawn := fmt.Sprintf(`!document.querySelector(%q) && %s`, q, focusedJS(c.control))

			// Asked, then withdrawn with Escape.
			adm.pressEnter(t, "delete", c.control)
			adm.waitJS(t, "asked in the row, the focus on Ya, hapus", isAsked)
			shots.takeOf(t, adm, "admin-delete-asked-"+c.question+"-1366", c.row)
			if c.during != nil {
				c.during(t)
				adm.waitJS(t, "still asked, the focus kept", isAsked)
			}
			adm.do(t, "Escape", chromedp.KeyEvent(kb.Escape))
			adm.waitJS(t, "withdrawn by Escape, the focus on the delete button", withdrawn)

			// Asked, then withdrawn with Batal, reached by Tab.
			adm.do(t, "Enter on the delete button", chromedp.KeyEvent("\r"))
			adm.waitJS(t, "asked again", isAsked)
			adm.do(t, "Tab to Batal", chromedp.KeyEvent(kb.Tab))
			adm.waitJS(t, "on Batal", focusedJS(no))
			adm.do(t, "Enter on Batal", chromedp.KeyEvent("\r"))
			adm.waitJS(t, "withdrawn by Batal, the focus on the delete button", withdrawn)
			if !c.exists(t) {
				t.Fatal("deleted before the question was answered")
			}

			// On a phone the question and its answers are on screen.
			adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
			adm.waitJS(t, "phone width", `window.innerWidth === 390`)
			adm.pressEnter(t, "delete on the phone", c.control)
			adm.waitJS(t, "asked on the phone", isAsked)
			if got := adm.evalString(t, fmt.Sprintf(`[document.querySelector(%q), document.querySelector(%q), document.querySelector(%q)]
				.filter((e) => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; }).map((e) => e.id || e.dataset.answer).join(', ')
				+ (document.documentElement.scrollWidth > 390 ? ' page ' + document.documentElement.scrollWidth : '')`, q, yes, no)); got != "" {
				t.Errorf("the question goes past the 390 px screen: %s", got)
			}
			shots.takeOf(t, adm, "admin-delete-asked-"+c.question+"-390", c.row)

			// Answered: deleted, said, the focus on the screen's next step.
			adm.do(t, "Enter on Ya, hapus", chromedp.KeyEvent("\r"))
			adm.waitJS(t, "deleted and said", c.gone+" && "+c.done)
			if c.exists(t) {
				t.Error("still there after the answer")
			}
		})
	}
	adm.checkConsole(t)
}
