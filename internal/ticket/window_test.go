package ticket

import (
	"errors"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apperr"
	"tanggap/internal/envelope"
)

func TestReplyWindow(t *testing.T) {
	p := ReplyPolicy{Window: 24 * time.Hour}
	last := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		last time.Time
		now  time.Time
		open bool
	}{
		{"open right after the citizen wrote", last, last.Add(time.Minute), true},
		{"open a second before 24 hours", last, last.Add(24*time.Hour - time.Second), true},
		{"closed at 24 hours", last, last.Add(24 * time.Hour), false},
		{"closed when the citizen never wrote", time.Time{}, last, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := p.window(tc.last, tc.now)
			if w.Open != tc.open {
				t.Fatalf("open = %v, want %v", w.Open, tc.open)
			}
			if tc.last.IsZero() != (w.Until == nil) || (w.Until != nil && !w.Until.Equal(tc.last.Add(24*time.Hour))) {
				t.Fatalf("until = %v", w.Until)
			}
			if w.Templates == nil {
				t.Fatal("templates must be a list, even empty")
			}
		})
	}
}

func TestCheckDraft(t *testing.T) {
	policy := ReplyPolicy{Window: 24 * time.Hour, Templates: []Template{{Name: "tindak_lanjut", Language: "id", Params: []string{"nama", "nomor"}}}}
	cases := []struct {
		name      string
		draft     Draft
		wantField string // "" : valid
		wantBody  string
	}{
		{name: "free text", draft: Draft{Body: "  Halo  "}, wantBody: "Halo"},
		{name: "empty text", draft: Draft{Body: " "}, wantField: "body"},
		{name: "the newest message seen, a negative id", draft: Draft{Body: "Halo", Seen: -1}, wantField: "seen"},
		{name: "too long text", draft: Draft{Body: strings.Repeat("a", MaxReplyRunes+1)}, wantField: "body"},
		{name: "a configured template with its parameters",
			draft:    Draft{Template: &TemplateDraft{Name: "tindak_lanjut", Language: "id", Params: []string{"Siti", "TGP-1"}}},
			wantBody: "[tindak_lanjut · id]\nnama: Siti\nnomor: TGP-1"},
		{name: "an unknown template", draft: Draft{Template: &TemplateDraft{Name: "lain", Language: "id"}}, wantField: "template"},
		{name: "a template in another language", draft: Draft{Template: &TemplateDraft{Name: "tindak_lanjut", Language: "en", Params: []string{"a", "b"}}}, wantField: "template"},
		{name: "missing parameters", draft: Draft{Template: &TemplateDraft{Name: "tindak_lanjut", Language: "id", Params: []string{"Siti"}}}, wantField: "template"},
		{name: "an empty parameter", draft: Draft{Template: &TemplateDraft{Name: "tindak_lanjut", Language: "id", Params: []string{"Siti", " "}}}, wantField: "template"},
		{name: "up to three buttons", draft: Draft{Body: "Pilih", Buttons: []envelope.Button{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}, {ID: "c", Title: "C"}}}, wantBody: "Pilih"},
		{name: "four buttons", draft: Draft{Body: "Pilih", Buttons: []envelope.Button{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}, {ID: "c", Title: "C"}, {ID: "d", Title: "D"}}}, wantField: "buttons"},
		{name: "a button title over 20 characters", draft: Draft{Body: "Pilih", Buttons: []envelope.Button{{ID: "a", Title: strings.Repeat("x", 21)}}}, wantField: "buttons"},
		{name: "two buttons with one id", draft: Draft{Body: "Pilih", Buttons: []envelope.Button{{ID: "a", Title: "A"}, {ID: "a", Title: "B"}}}, wantField: "buttons"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, tpl, err := checkDraft(tc.draft, policy)
			if tc.wantField != "" {
				var ve *apperr.ValidationError
				if !errors.As(err, &ve) || !ve.Has(tc.wantField) {
					t.Fatalf("err %v, want a problem with %s", err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if body != tc.wantBody {
				t.Fatalf("body %q, want %q", body, tc.wantBody)
			}
			if (tc.draft.Template != nil) != (tpl != nil) {
				t.Fatalf("template %+v", tpl)
			}
		})
	}
}
