package pages

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/launcher"
	"tanggap/internal/locale"
)

// menus is a launcher whose live chat is in the state given.
type menus struct{ chat launcher.Entry }

func (m menus) Menu(context.Context, string, time.Time, bool) launcher.Menu {
	return launcher.Menu{Entries: []launcher.Entry{{Kind: launcher.KindPhone, State: launcher.StateClosed, StateText: "Telepon tutup"}, m.chat}}
}

// The chat page says the chat is closed, and when agents are back, before
// the citizen writes (as the landing page does), and says nothing of hours
// while it is open.
func TestChatPageSaysWhenItIsClosed(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	page := func(chat launcher.Entry) string {
		app := fiber.New()
		New(Opts{Locale: cat, Log: slog.New(slog.DiscardHandler), Menus: menus{chat}}).Mount(app)
		r := get(t, app, "/chat", nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET /chat = %d", r.status)
		}
		return r.body
	}
	closed := page(launcher.Entry{Kind: launcher.KindChat, State: launcher.StateClosed, StateText: "Sedang tutup",
		OpensText: "Buka lagi besok pukul 08.00 WIB.", Expect: "Tinggalkan pesan di obrolan.",
		Notice: "Sedang tutup. Buka lagi besok pukul 08.00 WIB. Tinggalkan pesan di obrolan."})
	if want := `<p class="alert alert-info" id="chat-hours">Sedang tutup. Buka lagi besok pukul 08.00 WIB. Tinggalkan pesan di obrolan.</p>`; !strings.Contains(closed, want) {
		t.Errorf("closed chat page lacks %s", want)
	}
	if strings.Contains(closed, "Telepon tutup") {
		t.Error("the chat page speaks of another channel's hours")
	}
	open := page(launcher.Entry{Kind: launcher.KindChat, State: launcher.StateOpen, StateText: "Buka sekarang"})
	if strings.Contains(open, `id="chat-hours"`) {
		t.Error("an open chat's page speaks of hours")
	}
}
