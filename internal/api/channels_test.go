package api_test

import (
	"net/http"
	"slices"
	"testing"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
)

// The sign-in answer and /auth/me name the channels the installation
// runs, so the console asks nothing of a channel that is off: WhatsApp is
// among them exactly when its settings are there, as its admin routes
// are.
func TestMeNamesTheChannelsOn(t *testing.T) {
	for _, c := range []struct {
		name      string
		whatsapp  bool
		want      []string
		templates int // GET /api/v1/admin/whatsapp-templates
	}{
		{"without WhatsApp settings WhatsApp is not named", false, []string{"livechat", "voice", "webform"}, http.StatusNotFound},
		{"with WhatsApp settings WhatsApp is named", true, []string{"livechat", "voice", "webform", "whatsapp"}, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := apptest.Config(t)
			if c.whatsapp {
				cfg.WhatsApp = config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
					APIBaseURL: "http://127.0.0.1:9", APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
					RateLimit: 80, MediaMaxBytes: 1 << 20}
			}
			a := apptest.Start(t, cfg)
			adm := apptest.NewClient(t, a.URL())
			var in struct {
				Token    string   `json:"token"`
				Channels []string `json:"channels"`
			}
			res := adm.Do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": apptest.AdminEmail, "password": apptest.AdminPassword})
			if res.Status != http.StatusOK {
				t.Fatalf("sign in: %d %s", res.Status, res.Body)
			}
			res.JSON(t, &in)
			if !slices.Equal(in.Channels, c.want) {
				t.Errorf("the sign-in answer names the channels %q, want %q", in.Channels, c.want)
			}
			adm.Token = in.Token
			var me struct {
				Agent    struct{ ID int64 } `json:"agent"`
				Channels []string           `json:"channels"`
			}
			res = adm.Do(http.MethodGet, "/api/v1/auth/me", nil)
			if res.Status != http.StatusOK {
				t.Fatalf("me: %d %s", res.Status, res.Body)
			}
			res.JSON(t, &me)
			if me.Agent.ID == 0 || !slices.Equal(me.Channels, c.want) {
				t.Errorf("/auth/me: agent %d, channels %q, want %q", me.Agent.ID, me.Channels, c.want)
			}
			if got := adm.Do(http.MethodGet, "/api/v1/admin/whatsapp-templates", nil).Status; got != c.templates {
				t.Errorf("the WhatsApp templates answer %d, want %d", got, c.templates)
			}
		})
	}
}
