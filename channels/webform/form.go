package webform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"tanggap/internal/apperr"
	"tanggap/internal/complaint"
	"tanggap/internal/identity"
)

// Limits of a complaint, in runes.
const (
	MaxNameRunes        = 120
	MaxDescriptionRunes = 5000
	MaxFollowUpRunes    = 5000
)

// Form is a complaint as submitted, before validation. Field names are the
// public API's.
type Form struct {
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
	NIK         string `json:"nik"`
	Category    string `json:"category"`
	Description string `json:"description"`
	// Lifecycle (internal/complaint): the kind, and "true"/"false" flags
	// (empty Confidential: the category decides).
	Kind         string `json:"kind"`
	Anonymous    Flag   `json:"anonymous"`
	Confidential Flag   `json:"confidential"`
}

// Complaint is a validated, normalized Form.
type Complaint struct {
	Name         string
	Phone        string // E.164
	Email        string // lower case
	NIK          string // 16 digits
	Province     string // from the NIK
	Category     string
	Description  string
	Kind         complaint.Kind
	Anonymous    bool
	Confidential bool
}

// errBadJSON is returned when a JSON body cannot be decoded at all.
var errBadJSON = errors.New("webform: malformed JSON body")

// decodeJSON reads a JSON complaint. Unknown fields are ignored so clients
// may send more than we read; wrong types are an error.
func decodeJSON(body []byte) (Form, error) {
	var f Form
	if err := json.Unmarshal(body, &f); err != nil {
		return Form{}, fmt.Errorf("%w: %v", errBadJSON, err)
	}
	return f, nil
}

// validate checks every field at once and normalizes the identities.
// categories holds the configured category codes (as keys).
func validate(f Form, categories map[string]string) (Complaint, error) {
	var ve apperr.ValidationError
	anonymous := flagOn(string(f.Anonymous)) // nothing identifying is required (or kept)
	if anonymous {
		f.Name, f.Phone, f.Email, f.NIK = "", "", "", ""
	}
	c := Complaint{
		Name:        strings.TrimSpace(f.Name),
		Category:    strings.TrimSpace(f.Category),
		Description: strings.TrimSpace(f.Description),
	}
	checkText(&ve, "name", c.Name, MaxNameRunes, !anonymous)
	checkText(&ve, "description", c.Description, MaxDescriptionRunes, true)

	phone, email := strings.TrimSpace(f.Phone), strings.TrimSpace(f.Email)
	if phone == "" && email == "" && !anonymous {
		ve.Add("phone", "validation.contact_required")
		ve.Add("email", "validation.contact_required")
	}
	if phone != "" {
		p, err := identity.NormalizePhone(phone)
		if err != nil {
			ve.Add("phone", "validation.phone_invalid")
		}
		c.Phone = p
	}
	if email != "" {
		e, err := identity.NormalizeEmail(email)
		if err != nil {
			ve.Add("email", "validation.email_invalid")
		}
		c.Email = e
	}
	if nik := strings.TrimSpace(f.NIK); nik != "" {
		n, err := identity.ParseNIK(nik)
		switch {
		case errors.Is(err, identity.ErrNIKProvince):
			ve.Add("nik", "validation.nik_province")
		case errors.Is(err, identity.ErrNIKBirthDate):
			ve.Add("nik", "validation.nik_birth_date")
		case err != nil:
			ve.Add("nik", "validation.nik_format")
		default:
			c.NIK, c.Province = n.Number, n.ProvinceCode
		}
	}
	if c.Category == "" {
		ve.Add("category", "validation.required")
	} else if _, ok := categories[c.Category]; !ok {
		ve.Add("category", "validation.category_unknown")
	}
	if err := ve.Err(); err != nil {
		return Complaint{}, err
	}
	return c, nil
}

// checkText requires valid UTF-8 within a length, rejecting control
// characters other than line breaks and tabs.
func checkText(ve *apperr.ValidationError, field, v string, max int, required bool) {
	switch {
	case v == "" && required:
		ve.Add(field, "validation.required")
	case !utf8.ValidString(v):
		ve.Add(field, "validation.invalid")
	case utf8.RuneCountInString(v) > max:
		ve.Add(field, "validation.too_long", "max", max)
	case hasControl(v):
		ve.Add(field, "validation.invalid")
	}
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}
