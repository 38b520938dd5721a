package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// instrumentJS runs in every document of an instrumented tab before the
// page's own scripts. It only watches: the HTTP requests the page makes
// (resource timing, unbounded), each frame a websocket of the page
// receives, the fetches still on their way, and when a condition first
// holds on screen. A reload starts
// it afresh, so its records also tell that the page was not reloaded.
const instrumentJS = `(() => {
	if (window.__e2e) { return; }
	const e2e = window.__e2e = { requests: [], frames: [], watches: {}, loadedAt: performance.timeOrigin };
	performance.setResourceTimingBufferSize(100000);
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) { e2e.requests.push({ name: e.name, start: e.startTime, end: e.responseEnd || e.startTime + e.duration, status: e.responseStatus || 0 }); }
	}).observe({ type: 'resource', buffered: true });
	// inflight counts the page's fetches still on their way.
	e2e.inflight = 0;
	const fetch0 = window.fetch;
	window.fetch = function (...args) {
		e2e.inflight++;
		return fetch0.apply(this, args).finally(() => { e2e.inflight--; });
	};
	const WS = window.WebSocket;
	window.WebSocket = class extends WS {
		constructor(...args) {
			super(...args);
			this.addEventListener('message', (ev) => {
				let f;
				try { f = JSON.parse(ev.data); } catch (err) { return; }
				const d = f.data || {};
				e2e.frames.push({ at: Date.now(), perf: performance.now(), type: f.type || '', event: f.event || '',
					ticket_id: Number(d.ticket_id || f.ticket_id || 0), direction: d.direction || '', status: d.delivery_status || '' });
			});
		}
	};
	// watch records (Date.now) when cond first holds, and which frames
	// came after the watch began.
	e2e.watch = (key, cond) => {
		const w = e2e.watches[key] = { from: e2e.frames.length, shown: 0 };
		const check = () => {
			try { if (!w.shown && cond()) { w.shown = Date.now(); } } catch (err) { /* not rendered yet */ }
			return w.shown !== 0;
		};
		if (check()) { return; }
		const mo = new MutationObserver(() => { if (check()) { mo.disconnect(); } });
		mo.observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
	};
})()`

// instrument installs instrumentJS in the tab (before its first page).
func (tb *tab) instrument(t *testing.T) {
	t.Helper()
	tb.do(t, "instrument the page", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: instrumentJS})
		return chromedp.Void{}, err
	})
}

// settled waits until the page has no fetch on its way.
func (tb *tab) settled(t *testing.T) {
	t.Helper()
	tb.waitJS(t, "no request on its way", `window.__e2e.inflight === 0`)
}

// pageNow is the page's performance.now(), a mark for requestsSince.
func (tb *tab) pageNow(t *testing.T) float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.now()`))
	if err != nil {
		t.Fatalf("performance.now: %v", err)
	}
	return v
}

// requestsSince lists the page's requests whose URL contains part and that
// started after mark (a pageNow).
func (tb *tab) requestsSince(t *testing.T, mark float64, part string) []string {
	t.Helper()
	var got []string
	js := fmt.Sprintf(`JSON.stringify(window.__e2e.requests.filter(r => r.start > %f && r.name.includes(%q)).map(r => r.name))`, mark, part)
	if err := json.Unmarshal([]byte(tb.evalString(t, js)), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// failedRequestsSince lists the page's requests that started after mark
// (a pageNow) and failed (an HTTP status of 400 or more): each is a red
// line in the browser's console and a round trip for nothing.
func (tb *tab) failedRequestsSince(t *testing.T, mark float64) []string {
	t.Helper()
	var got []string
	js := fmt.Sprintf(`JSON.stringify(window.__e2e.requests.filter(r => r.start > %f && r.status >= 400).map(r => r.status + ' ' + r.name))`, mark)
	if err := json.Unmarshal([]byte(tb.evalString(t, js)), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// frameNow waits for the first frame after the page mark from (a
// pageNow) that matches cond (a JS predicate on a frame record: event,
// ticket_id, direction, status) and answers when it came, as a mark for
// requestsSince: a request started after it may be that frame's doing.
func (tb *tab) frameNow(t *testing.T, what string, from float64, cond string) float64 {
	t.Helper()
	find := fmt.Sprintf(`window.__e2e.frames.find(f => f.perf > %f && (%s))`, from, cond)
	tb.waitLive(t, what, find+` !== undefined`)
	v, err := strconv.ParseFloat(tb.evalString(t, `String(`+find+`.perf)`), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// keepMark leaves a mark on the page that a reload would remove.
func (tb *tab) keepMark(t *testing.T) {
	t.Helper()
	tb.do(t, "mark the page", chromedp.Evaluate[chromedp.Void](`window.__e2eKeep = window.__e2e.loadedAt`))
}

// checkNoReload fails when the page was reloaded since keepMark.
func (tb *tab) checkNoReload(t *testing.T) {
	t.Helper()
	if got := tb.evalString(t, `String(window.__e2eKeep === performance.timeOrigin)`); got != "true" {
		t.Error("the page was reloaded")
	}
}

// watch starts timing when cond (a JS expression) first holds in the page.
func (tb *tab) watch(t *testing.T, key, cond string) {
	t.Helper()
	tb.do(t, "watch for "+key, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.__e2e.watch(%q, () => (%s))`, key, cond)))
}

// shownAt is when the watch key's condition first held (Unix ms).
func (tb *tab) shownAt(t *testing.T, key string) int64 {
	t.Helper()
	return int64(mustAtoi(t, tb.evalString(t, fmt.Sprintf(`String(window.__e2e.watches[%q].shown)`, key))))
}

// frameAt is when the first frame of event about ticket id arrived after
// the watch key began (Unix ms; 0: none). direction filters
// message.created ("in" or "out"), "" takes any.
func (tb *tab) frameAt(t *testing.T, key, event string, id int64, direction string) int64 {
	t.Helper()
	return mustAtoi(t, tb.evalString(t, fmt.Sprintf(`String((f => f ? f.at : 0)(window.__e2e.frames.slice(window.__e2e.watches[%q].from)
		.find(f => f.event === %q && f.ticket_id === %d && (%q === '' || f.direction === %q))))`, key, event, id, direction, direction)))
}

// arrival is how long a citizen's message took to reach an open console.
type arrival struct {
	what          string
	frame, screen time.Duration
}

// arrived waits until cond holds in the console (pushed: the socket is
// open and nothing reloads), then measures in the page how long after
// accepted the event frame about ticket id came and the change was on
// screen, and logs both. It needs a watch of key begun before the
// citizen acted.
func (tb *tab) arrived(t *testing.T, key, what, cond string, accepted time.Time, event string, id func() int64, direction string) arrival {
	t.Helper()
	tb.waitLive(t, what, cond)
	shown := tb.shownAt(t, key)
	frame := tb.frameAt(t, key, event, id(), direction)
	if frame == 0 {
		t.Errorf("%s: no %s frame about ticket %d reached the console", what, event, id())
	}
	a := arrival{what: what, frame: time.Duration(frame-accepted.UnixMilli()) * time.Millisecond,
		screen: time.Duration(shown-accepted.UnixMilli()) * time.Millisecond}
	t.Logf("%s: %s frame %v, on screen %v after the message was accepted", what, event, a.frame, a.screen)
	return a
}

// sessionToken is the console session of the tab (its HttpOnly cookie),
// for another client to act on the same session.
func (tb *tab) sessionToken(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	cookies, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{})
		return res.Cookies, err
	})
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	for _, c := range cookies {
		if c.Name == "tanggap_session" {
			return c.Value
		}
	}
	t.Fatal("the console has no session cookie")
	return ""
}

// ticketOf reads a ticket id the console shows, as a func for arrived.
func ticketOf(tb *tab, t *testing.T, expr string) func() int64 {
	return func() int64 { return mustAtoi(t, tb.evalString(t, expr)) }
}

func fixedID(id int64) func() int64 { return func() int64 { return id } }

// accepted2xx fails unless the answer is 2xx.
func accepted2xx(t *testing.T, what string, status int, body []byte) {
	t.Helper()
	if status < http.StatusOK || status >= http.StatusMultipleChoices {
		t.Fatalf("%s: %d %s", what, status, body)
	}
}
