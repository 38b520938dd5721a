package api_test

import (
	"strings"
	"testing"

	"tanggap/internal/locale"
)

// The accounts table shows either an account's presence or that it was
// deactivated, in one column: the two words must not read alike (in
// Indonesian "Tidak aktif" and "Nonaktif" did). Neither is the other's
// part, they share no word, and English keeps "Offline" and "Deactivated".
func TestOfflineAndDeactivatedReadApart(t *testing.T) {
	cat := catalog(t)
	for _, lang := range locale.Languages() {
		offline, deactivated := strings.ToLower(cat.T(lang, "presence.offline")), strings.ToLower(cat.T(lang, "admin.deactivated"))
		if strings.Contains(offline, deactivated) || strings.Contains(deactivated, offline) {
			t.Errorf("%s: %q and %q read alike", lang, offline, deactivated)
		}
		for _, w := range strings.Fields(offline) {
			for _, v := range strings.Fields(deactivated) {
				if strings.Contains(v, w) || strings.Contains(w, v) {
					t.Errorf("%s: %q and %q share %q", lang, offline, deactivated, w)
				}
			}
		}
	}
	if got := cat.T(locale.English, "presence.offline") + " / " + cat.T(locale.English, "admin.deactivated"); got != "Offline / Deactivated" {
		t.Errorf("en-US reads %q", got)
	}
}
