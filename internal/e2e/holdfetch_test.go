package e2e

import "fmt"

// holdFetch is a script that makes the page's fetches for which match (a
// JavaScript expression of url and init) wait until window.__e2eRelease()
// is called, so a test can look at the page while one is on its way, or
// hand an old answer over late. With answer false every matching request
// waits before it is sent; with answer true the first matching request is
// sent at once and its answer waits. window.__e2eHeld counts the fetches
// held; window.__e2eDone is set once a held one is handed on.
func holdFetch(match string, answer bool) string {
	return fmt.Sprintf(`(() => {
	let release;
	const held = new Promise((r) => { release = r; });
	window.__e2eRelease = () => release();
	window.__e2eHeld = 0;
	const answer = %t;
	const fetch0 = window.fetch;
	window.fetch = function (url, init) {
		if (!(%s) || (answer && window.__e2eHeld > 0)) {
			return fetch0.call(this, url, init);
		}
		window.__e2eHeld++;
		const done = (x) => { window.__e2eDone = true; return x; };
		return answer ? fetch0.call(this, url, init).then((res) => held.then(() => done(res)))
			: held.then(() => done(fetch0.call(this, url, init)));
	};
})()`, answer, match)
}
