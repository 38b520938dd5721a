package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// heldReads is a reverse proxy in front of the app that holds the
// answers to requests for the given paths until the test lets each path
// through: a slow network for those reads only, and deterministic.
type heldReads struct {
	srv   *httptest.Server
	mu    sync.Mutex
	gates map[string]chan struct{}
}

func newHeldReads(t *testing.T, target string, paths ...string) *heldReads {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	h := &heldReads{gates: map[string]chan struct{}{}}
	for _, p := range paths {
		h.gates[p] = make(chan struct{})
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		gate := h.gates[r.URL.Path]
		h.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		h.mu.Lock()
		for p, g := range h.gates {
			close(g)
			delete(h.gates, p)
		}
		h.mu.Unlock()
		h.srv.Close()
	})
	return h
}

// let answers path's held requests and every later one.
func (h *heldReads) let(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if g := h.gates[path]; g != nil {
		close(g)
		delete(h.gates, path)
	}
}

// TestBrowserConsoleHoldsStillWhileItLoads: what the console reads at
// sign-in (the saved views, the ticket list) fills in without moving the
// list's filters under the agent's pointer. A panel that showed first and
// folded away once its read came back, or a line that appeared above the
// filters, moved them: a click meant for "more filters" opened a ticket.
func TestBrowserConsoleHoldsStillWhileItLoads(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	for _, screen := range laptopAndPhone {
		t.Run(screen.name, func(t *testing.T) {
			net := newHeldReads(t, base, "/api/v1/views", "/api/v1/tickets")
			sari := newTab(t, root)
			sari.instrument(t)
			sari.do(t, "a "+screen.name+" window", chromedp.EmulateViewport(screen.w, screen.h))
			sari.signIn(t, net.srv.URL+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
			// Where the filters sit is read relative to the page, so a
			// scroll of the window does not count as a move.
			const where = `JSON.stringify(['more-filters-summary', 'scope'].map((id) => Math.round(document.getElementById(id).getBoundingClientRect().top + scrollY)))`
			before := sari.evalString(t, where)
			if got := sari.evalString(t, `document.getElementById('list-updated').textContent`); got != "" {
				t.Fatalf("the list was read before the test let it through: %q", got)
			}

			net.let("/api/v1/views")
			sari.waitJS(t, "the views read", `window.__e2e.requests.some((r) => new URL(r.name).pathname === '/api/v1/views')`)
			sari.waitJS(t, "the views drawn", `document.getElementById('views-nav').hidden`)
			if got := sari.evalString(t, where); got != before {
				t.Errorf("the saved views (none) moved the filters from %s to %s", before, got)
			}

			net.let("/api/v1/tickets")
			sari.waitJS(t, "the list read", `document.getElementById('list-updated').textContent !== ''`)
			if got := sari.evalString(t, where); got != before {
				t.Errorf("the list's first read moved the filters from %s to %s", before, got)
			}
			sari.settled(t)
			shots.takeView(t, sari, "console-loaded-"+screen.name)
		})
	}
}
