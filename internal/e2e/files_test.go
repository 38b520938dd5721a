package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/locale"
)

// writeFile puts data in a temporary file named name for an upload field.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// attachFile chooses files in the reply box the way the file picker does.
func (tb *tab) attachFile(t *testing.T, paths ...string) {
	t.Helper()
	tb.do(t, "attach "+strings.Join(paths, ", "), chromedp.SetUploadFiles(chromedp.ID("attach-input"), paths, chromedp.NodeReady))
}

// TestBrowserFileReplies is issue 14's "a file reply reaches the WhatsApp
// stand-in, the chat widget and the status page". The agent attaches
// files in the reply box: a web page posing as a PDF is refused with the
// reason under the attach button and removed by keyboard; a PDF then goes
// to WhatsApp as an uploaded document (the stand-in gets the same bytes
// and a document message naming its media id, caption and file name), a
// picture to a live chat (the visitor sees it in the widget, loaded
// through the chat's signed link), and a PDF on a complaint (the citizen
// sees it on the status page and downloads the same bytes with the
// tracking number and phone). Screens at 1366×800 and 390×844.
func TestBrowserFileReplies(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	graph := newGraphStandIn(t)
	cfg := apptest.Config(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	api := apptest.NewClient(t, base)
	root := newBrowser(t, browser)
	shots := newShots(t)

	pdf := append([]byte("%PDF-1.7\n% surat keterangan peserta\n"), bytes.Repeat([]byte("0"), 3000)...)
	pdfPath := writeFile(t, "surat-keterangan.pdf", pdf)
	pagePath := writeFile(t, "formulir.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"))

	agent := newTab(t, root)
	agent.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	agent.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	agent.selectValue(t, "#scope", "all")
	agent.waitJS(t, "socket open", socketOpenJS)
	openRow := func(text string) int64 {
		t.Helper()
		agent.waitLive(t, "the ticket of "+text, rowWithJS(text)+` !== undefined`)
		id := mustAtoi(t, agent.evalString(t, rowWithJS(text)+`.dataset.ticketId`))
		agent.open(t, id)
		return id
	}
	// sentJS: the thread's last reply names file and carries a delivery mark
	// matching marks.
	sentJS := func(file, marks string) string {
		return fmt.Sprintf(`(m => m !== undefined && m.textContent.includes(%q) && m.querySelector(%q) !== null)([...document.querySelectorAll('#t-messages .msg-out')].pop())`, file, marks)
	}

	// --- WhatsApp ----------------------------------------------------------
	const waFirst = "Mohon dikirim surat keterangan peserta"
	api.WhatsApp(apptest.WhatsAppText("6281234567890", "Siti Rahayu", "wamid.e2e-files-1", time.Now(), waFirst))
	openRow(waFirst)

	agent.attachFile(t, pagePath)
	agent.waitJS(t, "the chosen file listed", `document.querySelectorAll('#attach-list .attach-item').length === 1
		&& document.querySelector('#attach-list .attach-name').textContent === 'formulir.pdf'
		&& !document.getElementById('attach-list').hidden`)
	agent.do(t, "send the web page", chromedp.Click(chromedp.ID("reply-btn")))
	agent.waitJS(t, "the refusal under the attach button", `!document.getElementById('attach-btn-error').hidden`)
	refusal := agent.text(t, "#attach-btn-error")
	if !strings.Contains(refusal, "formulir.pdf") || !strings.Contains(refusal, "HTML") || !strings.HasPrefix(refusal, strings.Split(tx("files.type_refused"), "{")[0]) {
		t.Fatalf("refusal %q", refusal)
	}
	if agent.evalString(t, `document.activeElement.id`) != "attach-btn" || agent.attr(t, "#attach-btn", "aria-invalid") != "true" {
		t.Fatal("the refusal does not take the agent to the attach button")
	}
	shots.take(t, agent, "files-01-console-refused")
	// Remove it by keyboard: Tab from the attach button reaches the file's
	// remove button, Enter presses it, and focus comes back.
	agent.do(t, "remove the refused file by keyboard",
		chromedp.Focus(chromedp.CSS("#attach-list .attach-remove")),
		chromedp.KeyEvent("\r"),
	)
	agent.waitJS(t, "the file removed", `document.querySelectorAll('#attach-list .attach-item').length === 0
		&& document.activeElement.id === 'attach-btn' && document.getElementById('attach-btn-error').hidden`)
	if got, want := agent.text(t, "#ticket-live"), tx("files.removed", "name", "formulir.pdf"); got != want {
		t.Errorf("announced %q, want %q", got, want)
	}
	if got := agent.attr(t, "#attach-list", "aria-label"); got != tx("console.attachments") {
		t.Errorf("file list label %q", got)
	}

	agent.attachFile(t, pdfPath)
	agent.waitJS(t, "the PDF listed with its size", `document.querySelector('#attach-list .attach-name') !== null
		&& document.querySelector('#attach-list .attach-size').textContent === '(3 KB)'`)
	if got := agent.attr(t, "#attach-list .attach-remove", "aria-label"); got != tx("files.remove", "name", "surat-keterangan.pdf") {
		t.Errorf("remove button named %q", got)
	}
	shots.take(t, agent, "files-02-console-chosen")
	agent.do(t, "send the PDF on WhatsApp",
		chromedp.SendKeys(chromedp.ID("reply-body"), "Berikut surat keterangannya"),
		chromedp.Click(chromedp.ID("reply-btn")),
	)
	agent.waitLive(t, "the document sent", sentJS("surat-keterangan.pdf", ".delivery-sent"))
	if n := agent.evalString(t, `String(document.querySelectorAll('#attach-list .attach-item').length)`); n != "0" {
		t.Errorf("%s files still chosen after sending", n)
	}
	up := graph.uploaded()
	if len(up) != 1 || !bytes.Equal(up[0].Data, pdf) || up[0].Type != "application/pdf" || up[0].PartType != "application/pdf" || up[0].Filename != "surat-keterangan.pdf" {
		t.Fatalf("uploads to the Graph API: %+v", up)
	}
	var msg struct {
		MessagingProduct string `json:"messaging_product"`
		To               string `json:"to"`
		Type             string `json:"type"`
		Document         struct {
			ID, Caption, Filename string
		} `json:"document"`
	}
	body, _ := graph.lastBody.Load().(string)
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		t.Fatal(err)
	}
	if msg.MessagingProduct != "whatsapp" || msg.To != "6281234567890" || msg.Type != "document" || msg.Document.ID != up[0].ID ||
		msg.Document.Caption != "Berikut surat keterangannya" || msg.Document.Filename != "surat-keterangan.pdf" {
		t.Fatalf("message sent as %s", body)
	}
	// The agent opens the file from the thread.
	if got := agent.attr(t, "#t-messages .msg-out:last-child .attachments a", "href"); !strings.HasPrefix(got, "/api/v1/attachments/") {
		t.Errorf("file link %q", got)
	}
	shots.take(t, agent, "files-03-console-sent")

	// --- live chat ---------------------------------------------------------
	chat := newTab(t, root)
	chat.do(t, "open the chat page", chromedp.Navigate(base+"/chat?lang=id-ID"), chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	chat.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	chat.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	const chatFirst = "Boleh minta contoh foto KTP yang benar?"
	chat.do(t, "write", chromedp.SendKeys(chromedp.ID("tgc-text"), chatFirst), chromedp.Click(chromedp.ID("tgc-send")))
	openRow(chatFirst)
	agent.attachFile(t, writePNG(t))
	agent.waitJS(t, "the picture listed", `document.querySelector('#attach-list .attach-name') !== null`)
	agent.do(t, "send the picture", chromedp.SendKeys(chromedp.ID("reply-body"), "Contohnya seperti ini"), chromedp.Click(chromedp.ID("reply-btn")))
	agent.waitLive(t, "the picture sent", sentJS("ktp.png", ".delivery-sent, .delivery-delivered, .delivery-read"))
	chat.waitJS(t, "the visitor sees the picture", `(i => i !== null && i.complete && i.naturalWidth === 24)(document.querySelector('.tgc-theirs img.tgc-img'))`)
	if got := chat.evalString(t, `document.querySelector('.tgc-theirs img.tgc-img').closest('li').textContent`); !strings.Contains(got, "Contohnya seperti ini") {
		t.Errorf("the picture's message reads %q", got)
	}
	if got := chat.attr(t, ".tgc-theirs img.tgc-img", "alt"); got != "ktp.png" {
		t.Errorf("picture alt %q", got)
	}
	shots.take(t, chat, "files-04-chat-1366")
	chat.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	shots.take(t, chat, "files-05-chat-390")

	// --- complaint, status page --------------------------------------------
	const formFirst = "Surat keterangan kelulusan pelatihan belum saya terima"
	tn := api.Complaint(map[string]string{"name": "Lina", "phone": "081377778888", "category": "pelatihan", "description": formFirst + "."})
	openRow(formFirst)
	agent.attachFile(t, pdfPath)
	agent.waitJS(t, "the PDF listed", `document.querySelector('#attach-list .attach-name') !== null`)
	agent.do(t, "post the PDF", chromedp.Click(chromedp.ID("reply-btn"))) // a file alone needs no text
	agent.waitLive(t, "the file posted", sentJS("surat-keterangan.pdf", ".delivery-posted"))

	citizen := newTab(t, root)
	citizen.do(t, "look the complaint up",
		chromedp.EmulateViewport(1366, 800),
		chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+tn),
		chromedp.WaitVisible(chromedp.ID("lookup-form")),
		clearField("contact"),
		chromedp.SendKeys(chromedp.ID("contact"), "0813 7777 8888"),
		chromedp.Click(chromedp.ID("lookup-btn")),
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	fileJS := `document.querySelector('#thread .msg-out .msg-files .file-post button')`
	citizen.waitJS(t, "the officer's file on the status page", fileJS+` !== null && `+fileJS+`.textContent === 'surat-keterangan.pdf'`)
	if got := citizen.evalString(t, fileJS+`.closest('ul').getAttribute('aria-label')`); got != tx("files.reply_files") {
		t.Errorf("reply files labelled %q", got)
	}
	// The button's form posts the phone (never in a URL); what it posts
	// downloads the file, and with another phone nothing.
	action := citizen.evalString(t, fileJS+`.form.getAttribute('action')`)
	if strings.Contains(action, "contact") || strings.Contains(action, "8888") {
		t.Errorf("the file's address carries the contact: %q", action)
	}
	download := func(contact string) (*http.Response, []byte) {
		t.Helper()
		res, err := http.PostForm(base+action, url.Values{"contact": {contact}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var got bytes.Buffer
		got.ReadFrom(res.Body)
		return res, got.Bytes()
	}
	if posted := citizen.evalString(t, fileJS+`.form.elements.contact.value`); posted != "0813 7777 8888" {
		t.Errorf("the form posts the contact %q", posted)
	}
	res, got := download("0813 7777 8888")
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, pdf) || !strings.Contains(res.Header.Get("Content-Disposition"), "surat-keterangan.pdf") {
		t.Fatalf("citizen download: %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Disposition"), len(got))
	}
	if res, _ := download("0899 7777 8888"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("download with a wrong contact: %d", res.StatusCode)
	}
	shots.take(t, citizen, "files-06-status-1366")
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	shots.take(t, citizen, "files-07-status-390")

	// The reply box on a phone: attach button and chosen file fit.
	agent.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	agent.attachFile(t, pdfPath)
	agent.waitJS(t, "the PDF listed", `document.querySelector('#attach-list .attach-name') !== null`)
	if w := agent.evalString(t, `String(document.documentElement.scrollWidth <= window.innerWidth)`); w != "true" {
		t.Errorf("the reply box with a file is wider than the phone")
	}
	shots.take(t, agent, "files-08-console-390")

	// In English: the same reply box, its texts from the other catalog.
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := func(key string, args ...any) string { return cat.T(locale.English, key, args...) }
	formTicket := mustAtoi(t, agent.evalString(t, `location.hash.slice(8)`))
	agent.do(t, "the console in English",
		chromedp.EmulateViewport(1366, 800),
		chromedp.Navigate(fmt.Sprintf("%s/console?lang=en-US#ticket-%d", base, formTicket)),
		chromedp.WaitVisible(chromedp.ID("ticket-detail")),
	)
	agent.waitJS(t, "the ticket open", fmt.Sprintf(`document.getElementById('t-tn').textContent === %q`, tn))
	agent.attachFile(t, pdfPath)
	agent.waitJS(t, "the PDF listed", `document.querySelector('#attach-list .attach-name') !== null`)
	if got := agent.text(t, "#attach-btn"); got != en("files.attach") {
		t.Errorf("attach button %q, want %q", got, en("files.attach"))
	}
	if got := agent.attr(t, "#attach-list .attach-remove", "aria-label"); got != en("files.remove", "name", "surat-keterangan.pdf") {
		t.Errorf("remove button named %q", got)
	}
	shots.take(t, agent, "files-09-console-en")

	for _, tb := range []*tab{agent, chat, citizen} {
		tb.checkConsole(t)
	}
}
