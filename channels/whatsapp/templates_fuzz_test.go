package whatsapp

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"tanggap/internal/config"
)

// FuzzTemplateRequest: whatever an admin's request holds, the check never
// panics, and a template it accepts is one Meta and the senders can use:
// a valid name and language, a known purpose, trimmed non-empty
// parameters, as many as the purpose's sender fills.
func FuzzTemplateRequest(f *testing.F) {
	for _, seed := range []string{
		`{"name":"kabar_tiket","language":"id","purpose":"notify","params":["nomor","tautan"],"active":true}`,
		`{"name":"penilaian","language":"en_US","purpose":"csat","params":["nomor"]}`,
		`{"name":"balas","language":"id","purpose":"reply","params":[]}`,
		`{"name":"Kabar Baru","language":"x","purpose":"promo","params":[" ",""]}`,
		`{"name":"a","language":"id","purpose":"reply","params":["1","2","3","4","5","6","7","8","9","10","11"]}`,
		`{"params":null}`, `[]`, `{"name":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req templateRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		tp := Template{Name: req.Name, Language: req.Language, Purpose: Purpose(req.Purpose), Params: nonNil(req.Params)}
		if checkTemplate(&tp).Err() != nil {
			return
		}
		if !config.TemplateName(tp.Name) || !config.TemplateLanguage(tp.Language) || !tp.Purpose.valid() || len(tp.Params) > maxTemplateParams {
			t.Fatalf("accepted %+v", tp)
		}
		if want := tp.Purpose.params(); want >= 0 && len(tp.Params) != want {
			t.Fatalf("accepted %d params for %s", len(tp.Params), tp.Purpose)
		}
		for _, p := range tp.Params {
			if p == "" || p != strings.TrimSpace(p) || utf8.RuneCountInString(p) > maxParamName {
				t.Fatalf("accepted parameter %q", p)
			}
		}
	})
}
