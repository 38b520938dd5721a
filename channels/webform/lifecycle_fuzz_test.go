package webform

import (
	"context"
	"errors"
	"testing"

	"tanggap/internal/apperr"
	"tanggap/internal/complaint"
)

// sensitiveOnly is a Lifecycle that only answers which categories are
// sensitive (the fuzz target never registers anything).
type sensitiveOnly struct{ Lifecycle }

func (sensitiveOnly) Sensitive(category string) bool { return category == "insentif" }

func (sensitiveOnly) Register(context.Context, complaint.Intake) (complaint.Registered, error) {
	return complaint.Registered{}, errors.New("not in this test")
}

// FuzzLifecycleFields: whatever a client sends as kind, anonymous and
// confidential, a submission is either refused field by field or settled
// so that an anonymous complaint keeps no identity, is never also
// "confidential", and a sensitive category is confidential unless the
// citizen said no.
func FuzzLifecycleFields(f *testing.F) {
	for _, seed := range []string{
		`{"anonymous":true,"category":"insentif","description":"x"}`,
		`{"anonymous":"on","name":"Siti","phone":"081234567890","nik":"3171011508900001","category":"pelatihan","description":"x","kind":"aspirasi"}`,
		`{"confidential":false,"name":"Budi","phone":"081234567890","category":"insentif","description":"x"}`,
		`{"confidential":"ya","name":"Budi","email":"b@x.id","category":"lainnya","description":"x","kind":"informasi"}`,
		`{"anonymous":1,"category":"insentif","description":"x"}`,
		`{"anonymous":null,"kind":"??","category":"insentif","description":"x"}`,
		`{"kind":["pengaduan"]}`,
	} {
		f.Add([]byte(seed))
	}
	a := New(Opts{Lifecycle: sensitiveOnly{}})
	cats := map[string]string{"insentif": "", "pelatihan": "", "lainnya": ""}
	f.Fuzz(func(t *testing.T, body []byte) {
		form, err := decodeJSON(body)
		if err != nil {
			if !errors.Is(err, errBadJSON) {
				t.Fatalf("decode error not errBadJSON: %v", err)
			}
			return
		}
		c, err := validate(form, cats)
		ve := &apperr.ValidationError{}
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("not a validation error: %v", err)
		}
		a.privacyOf(form, &c, ve)
		if ve.Err() != nil {
			if len(ve.Fields) == 0 {
				t.Fatal("refused without a field")
			}
			return
		}
		if c.Anonymous && (c.Name != "" || c.Phone != "" || c.Email != "" || c.NIK != "" || c.Confidential) {
			t.Fatalf("anonymous complaint keeps %+v", c)
		}
		if _, err := complaint.ParseKind(string(c.Kind)); err != nil || c.Kind == "" {
			t.Fatalf("kind %q", c.Kind)
		}
		if !c.Anonymous && c.Category == "insentif" && !flagSet(string(form.Confidential)) && !c.Confidential {
			t.Fatal("a sensitive category is not confidential by default")
		}
	})
}
