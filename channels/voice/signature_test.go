package voice

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"tanggap/channels/voice/voicetest"
)

// The worked example of Twilio's request-validation documentation: auth
// token 12345, this URL and these POST parameters give this signature.
const (
	docToken     = "12345"
	docURL       = "https://mycompany.com/myapp.php?foo=1&bar=2"
	docSignature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
)

func docParams() url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675309"},
		"Digits":  {"1234"},
		"From":    {"+14158675309"},
		"To":      {"+18005551212"},
	}
}

func TestSignatureMatchesTwiliosDocumentedExample(t *testing.T) {
	if got := Signature(docToken, docURL, docParams()); got != docSignature {
		t.Fatalf("Signature = %q, want %q", got, docSignature)
	}
	if got := voicetest.Sign(docToken, docURL, docParams()); got != docSignature {
		t.Fatalf("independent implementation = %q, want %q", got, docSignature)
	}
	if !ValidSignature(docToken, docURL, docParams(), docSignature) {
		t.Fatal("documented example refused")
	}
}

func TestSignatureRefusesAnyChange(t *testing.T) {
	tampered := docParams()
	tampered.Set("Digits", "9999")
	extra := docParams()
	extra.Set("Extra", "1")
	cases := []struct {
		name         string
		token, u, sg string
		params       url.Values
	}{
		{"changed parameter", docToken, docURL, docSignature, tampered},
		{"added parameter", docToken, docURL, docSignature, extra},
		{"changed query", docToken, docURL + "&x=1", docSignature, docParams()},
		{"other host", docToken, strings.Replace(docURL, "mycompany", "evil", 1), docSignature, docParams()},
		{"other token", "54321", docURL, docSignature, docParams()},
		{"empty token", "", docURL, Signature("", docURL, docParams()), docParams()},
		{"missing signature", docToken, docURL, "", docParams()},
		{"garbage signature", docToken, docURL, "bm90IGEgc2lnbmF0dXJl", docParams()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if ValidSignature(tc.token, tc.u, tc.params, tc.sg) {
				t.Fatal("accepted")
			}
		})
	}
}

func TestSignatureAgreesWithIndependentImplementation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const alphabet = "aAbBzZ09+ -_=&%é"
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 500; i++ {
		p := url.Values{}
		for range rng.IntN(6) {
			k := word()
			for range 1 + rng.IntN(3) { // repeated names too
				p.Add(k, word())
			}
		}
		u := "https://tanggap.example/webhooks/voice/menu?node=" + url.QueryEscape(word())
		if a, b := Signature("tok", u, p), voicetest.Sign("tok", u, p); a != b {
			t.Fatalf("params %v: %s != %s", p, a, b)
		}
	}
}
