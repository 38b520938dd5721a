package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminFieldErrorGoesWhenEdited: a refused save shows each
// error beside its field, the field marked invalid; editing the field
// takes its error and its mark away at once, the other fields' stay until
// they are edited in turn. So on the account form (admin.js), on a
// queue's SLA targets (one message for the group: any target edited takes
// it away), on the role form and on the canned-reply form (sayOutcome,
// with its field mark).
func TestBrowserAdminFieldErrorGoesWhenEdited(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	adm := openAdminBoard(t, root, base)
	shown := func(id string) string {
		return fmt.Sprintf(`(e => !!e && !e.hidden && e.textContent !== '')(document.getElementById('%s-error'))
			&& document.getElementById(%q).getAttribute('aria-invalid') === 'true'`, id, id)
	}
	cleared := func(id string) string {
		return fmt.Sprintf(`(e => !!e && e.hidden && e.textContent === '')(document.getElementById('%s-error'))
			&& !document.getElementById(%q).hasAttribute('aria-invalid')`, id, id)
	}

	// The account form: refused empty.
	adm.waitJS(t, "the account form", `!!document.getElementById('aa-name')`)
	adm.do(t, "save an empty account", chromedp.Click(chromedp.CSS(`#admin-agent-form button[type=submit]`)))
	adm.waitJS(t, "name and email refused", shown("aa-name")+" && "+shown("aa-email"))
	adm.do(t, "type a name", chromedp.SendKeys(chromedp.ID("aa-name"), "Rani"))
	adm.waitJS(t, "the name's error gone, the email's kept", cleared("aa-name")+" && "+shown("aa-email"))
	adm.do(t, "type an email", chromedp.SendKeys(chromedp.ID("aa-email"), "r"))
	adm.waitJS(t, "the email's error gone", cleared("aa-email"))

	// A queue's SLA: a negative target refused; another target edited.
	adm.do(t, "queues section", chromedp.Click(chromedp.ID("admin-nav-queues")))
	adm.waitJS(t, "the queue form", `!!document.getElementById('aq-sla-urgent-first')`)
	adm.do(t, "a queue with a negative target", chromedp.SendKeys(chromedp.ID("aq-code"), "ujigalat"), chromedp.SendKeys(chromedp.ID("aq-name"), "Uji"),
		chromedp.SendKeys(chromedp.ID("aq-sla-urgent-first"), "-5"),
		chromedp.Click(chromedp.CSS(`#admin-queue-form button[type=submit]`)))
	adm.waitJS(t, "the SLA refused", shown("aq-sla")+` && document.getElementById('aq-sla-urgent-first').getAttribute('aria-invalid') === 'true'`)
	adm.do(t, "another target edited", chromedp.SendKeys(chromedp.ID("aq-sla-high-first"), "3"))
	adm.waitJS(t, "the SLA's error and marks gone", cleared("aq-sla")+` && !document.querySelector('#aq-sla [aria-invalid]')`)

	// The role form: refused empty.
	adm.do(t, "new role", chromedp.Click(chromedp.ID("roles-new")))
	adm.waitJS(t, "the role form", `!!document.getElementById('rf-label')`)
	adm.do(t, "save an empty role", chromedp.Click(chromedp.ID("roles-save")))
	adm.waitJS(t, "name and label refused", shown("rf-name")+" && "+shown("rf-label"))
	adm.do(t, "type a label", chromedp.SendKeys(chromedp.ID("rf-label"), "Kosong"))
	adm.waitJS(t, "the label's error gone, the name's kept", cleared("rf-label")+" && "+shown("rf-name"))

	// The canned-reply form: refused empty.
	adm.openTickets(t)
	adm.waitJS(t, "the canned-reply screen offered", `!document.getElementById('canned-admin-mount').hidden`)
	adm.do(t, "open it", chromedp.Evaluate[chromedp.Void](`document.getElementById('canned-admin-mount').open = true`))
	adm.waitJS(t, "the form drawn", `!!document.getElementById('ca-title')`)
	adm.do(t, "save an empty reply", chromedp.Click(chromedp.ID("ca-save")))
	adm.waitJS(t, "title and text refused", shown("ca-title")+" && "+shown("ca-body"))
	adm.do(t, "type a text", chromedp.SendKeys(chromedp.ID("ca-body"), "Halo"))
	adm.waitJS(t, "the text's error and mark gone, the title's kept", cleared("ca-body")+" && "+shown("ca-title")+
		` && !document.getElementById('ca-body').closest('.field').classList.contains('field-invalid')
		&& document.getElementById('ca-title').closest('.field').classList.contains('field-invalid')`)
	adm.checkConsole(t)
}
