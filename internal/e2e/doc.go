// Package e2e holds end-to-end tests that start the whole contact center
// through internal/app and drive it from the outside, as a citizen and an
// agent would, with a real browser (Debian's chromium through chromedp).
package e2e
