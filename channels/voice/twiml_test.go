package voice

import (
	"strings"
	"testing"

	"tanggap/channels/voice/voicetest"
)

func TestTwiMLRendersDocumentedVerbs(t *testing.T) {
	r := &Response{}
	r.add(
		Say{Language: "id-ID", Text: "Halo & selamat <datang>"},
		Play{URL: "https://example.id/musik.mp3"},
		Gather{Input: "dtmf", NumDigits: "1", Timeout: "6", Action: "https://tanggap.example/webhooks/voice/menu?node=main&try=0", Method: "POST",
			Prompts: []any{Say{Language: "id-ID", Text: "Tekan 1"}}},
		Record{Action: "https://tanggap.example/webhooks/voice/recorded", Method: "POST", MaxLength: "120", Timeout: "5", FinishOnKey: "#", PlayBeep: "true"},
		Dial{Action: "https://tanggap.example/webhooks/voice/transferred", Method: "POST", Timeout: "30", Sip: &Sip{Value: "sip:agen@pbx.example.id"}},
		Enqueue{Action: "https://tanggap.example/x", Method: "POST", WaitURL: "https://tanggap.example/hold", WaitURLMethod: "POST", Name: "antrean"},
		Pause{Length: "2"},
		Redirect{Method: "POST", URL: "https://tanggap.example/webhooks/voice/menu?node=main&try=1"},
	)
	body := r.Marshal()
	if !strings.HasPrefix(string(body), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("no XML declaration: %s", body)
	}
	doc, err := voicetest.ParseTwiML(body)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if got := doc.Children[0].Text; got != "Halo & selamat <datang>" {
		t.Fatalf("Say text not escaped and restored: %q", got)
	}
	g := doc.Find("Gather")
	if g.Attrs["action"] != "https://tanggap.example/webhooks/voice/menu?node=main&try=0" || len(g.Children) != 1 {
		t.Fatalf("gather: %+v", g)
	}
	if d := doc.Find("Dial"); d.Children[0].Name != "Sip" || d.Children[0].Text != "sip:agen@pbx.example.id" {
		t.Fatalf("dial: %+v", d.Children[0])
	}
}

func TestTwiMLCheckerRejectsWhatIsNotDocumented(t *testing.T) {
	cases := map[string]string{
		"unknown verb":           `<Response><Speak>x</Speak></Response>`,
		"unknown attribute":      `<Response><Say lang="id-ID">x</Say></Response>`,
		"bad method":             `<Response><Redirect method="PUT">https://a.example/x</Redirect></Response>`,
		"relative redirect":      `<Response><Redirect>/x</Redirect></Response>`,
		"record inside gather":   `<Response><Gather><Record/></Gather></Response>`,
		"verb after hangup":      `<Response><Hangup/><Say>x</Say></Response>`,
		"dial without noun":      `<Response><Dial></Dial></Response>`,
		"zero timeout":           `<Response><Gather timeout="0"><Say>x</Say></Gather></Response>`,
		"two keys to finish":     `<Response><Gather finishOnKey="#*"><Say>x</Say></Gather></Response>`,
		"root is not a response": `<Say>x</Say>`,
		"broken xml":             `<Response><Say>x</Response>`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := voicetest.ParseTwiML([]byte(doc)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
