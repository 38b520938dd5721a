package webform

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"tanggap/internal/apperr"
)

var testCategories = map[string]string{"pendaftaran": "", "insentif": ""}

func TestValidate(t *testing.T) {
	good := Form{Name: "Siti Aminah", Phone: "0812-3456-7890", Category: "insentif", Description: "Insentif belum cair."}
	cases := []struct {
		name       string
		edit       func(f *Form)
		wantFields map[string]string // field -> translation key
		check      func(t *testing.T, c Complaint)
	}{
		{name: "phone in local form is normalized to E.164", edit: func(f *Form) {},
			check: func(t *testing.T, c Complaint) {
				if c.Phone != "+6281234567890" {
					t.Fatalf("phone = %q", c.Phone)
				}
			}},
		{name: "email alone is enough and is lower-cased", edit: func(f *Form) { f.Phone = ""; f.Email = " Siti@Example.GO.ID " },
			check: func(t *testing.T, c Complaint) {
				if c.Email != "siti@example.go.id" || c.Phone != "" {
					t.Fatalf("email = %q phone = %q", c.Email, c.Phone)
				}
			}},
		{name: "valid NIK gives the province", edit: func(f *Form) { f.NIK = "3171 0115 0890 0001" },
			check: func(t *testing.T, c Complaint) {
				if c.NIK != "3171011508900001" || c.Province != "31" {
					t.Fatalf("nik = %q province = %q", c.NIK, c.Province)
				}
			}},
		{name: "neither phone nor email", edit: func(f *Form) { f.Phone = "" },
			wantFields: map[string]string{"phone": "validation.contact_required", "email": "validation.contact_required"}},
		{name: "every bad field is reported at once", edit: func(f *Form) {
			*f = Form{Phone: "12", Email: "not-an-email", NIK: "123", Category: "unknown"}
		}, wantFields: map[string]string{
			"name": "validation.required", "phone": "validation.phone_invalid", "email": "validation.email_invalid",
			"nik": "validation.nik_format", "category": "validation.category_unknown", "description": "validation.required",
		}},
		{name: "NIK with an unknown province", edit: func(f *Form) { f.NIK = "9971011508900001" },
			wantFields: map[string]string{"nik": "validation.nik_province"}},
		{name: "NIK with an impossible birth date", edit: func(f *Form) { f.NIK = "3171013102900001" },
			wantFields: map[string]string{"nik": "validation.nik_birth_date"}},
		{name: "missing category", edit: func(f *Form) { f.Category = " " },
			wantFields: map[string]string{"category": "validation.required"}},
		{name: "description too long", edit: func(f *Form) { f.Description = strings.Repeat("a", MaxDescriptionRunes+1) },
			wantFields: map[string]string{"description": "validation.too_long"}},
		{name: "control characters in the name", edit: func(f *Form) { f.Name = "Siti\x00" },
			wantFields: map[string]string{"name": "validation.invalid"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := good
			tc.edit(&f)
			c, err := validate(f, testCategories)
			if tc.wantFields == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tc.check(t, c)
				return
			}
			var ve *apperr.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			for field, key := range tc.wantFields {
				if got := ve.Fields[field].Key; got != key {
					t.Errorf("field %s: key %q, want %q", field, got, key)
				}
			}
			if len(ve.Fields) != len(tc.wantFields) {
				t.Errorf("fields %v, want exactly %v", ve.Fields, tc.wantFields)
			}
		})
	}
}

func TestDecodeJSONRejectsMalformedBodies(t *testing.T) {
	for _, body := range []string{``, `{`, `[]`, `{"name": 5}`, `"text"`} {
		if _, err := decodeJSON([]byte(body)); !errors.Is(err, errBadJSON) {
			t.Errorf("%q: want errBadJSON, got %v", body, err)
		}
	}
	f, err := decodeJSON([]byte(`{"name":"Budi","extra":true}`))
	if err != nil || f.Name != "Budi" {
		t.Fatalf("unknown fields must be ignored: %v %+v", err, f)
	}
}

func TestCleanFilename(t *testing.T) {
	cases := map[string]string{
		"ktp.jpg":                "ktp.jpg",
		`C:\Users\budi\ktp.jpg`:  "ktp.jpg",
		"../../etc/passwd":       "passwd",
		"":                       "lampiran",
		"a\x00b\nc.pdf":          "abc.pdf",
		strings.Repeat("x", 300): strings.Repeat("x", 100),
	}
	for in, want := range cases {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecodeSubmission feeds arbitrary bodies through the JSON decoding and
// validation of a complaint: never a panic, and whatever is accepted is
// normalized and within limits.
func FuzzDecodeSubmission(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Siti","phone":"081234567890","category":"insentif","description":"x"}`,
		`{"name":"Budi","email":"B@X.ID","nik":"3171011508900001","category":"pendaftaran","description":"y"}`,
		`{"name":"","phone":"+62 812 3456 7890","category":"lainnya"}`,
		`{"name":"\u0000","phone":"0","email":"@","nik":"9999999999999999"}`,
		`{}`, `null`, `{"name":[1]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		form, err := decodeJSON(body)
		if err != nil {
			if !errors.Is(err, errBadJSON) {
				t.Fatalf("decode error not errBadJSON: %v", err)
			}
			return
		}
		c, err := validate(form, testCategories)
		if err != nil {
			var ve *apperr.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("validation error without fields: %v", err)
			}
			return
		}
		if c.Phone == "" && c.Email == "" {
			t.Fatal("accepted without phone or email")
		}
		if c.Phone != "" && !strings.HasPrefix(c.Phone, "+") {
			t.Fatalf("phone not E.164: %q", c.Phone)
		}
		if c.Email != strings.ToLower(c.Email) {
			t.Fatalf("email not lower-case: %q", c.Email)
		}
		if c.NIK != "" && len(c.NIK) != 16 {
			t.Fatalf("NIK not 16 digits: %q", c.NIK)
		}
		if _, ok := testCategories[c.Category]; !ok {
			t.Fatalf("unknown category accepted: %q", c.Category)
		}
		if !utf8.ValidString(c.Name) || !utf8.ValidString(c.Description) || c.Name == "" || c.Description == "" {
			t.Fatalf("bad text accepted: %q %q", c.Name, c.Description)
		}
	})
}
