package identity

import "errors"

// Sentinel errors. Parsers wrap them with %w and a reason that never
// contains the input itself.
var (
	// ErrPhoneInvalid: not a phone number we can normalize to E.164.
	ErrPhoneInvalid = errors.New("identity: invalid phone number")
	// ErrEmailInvalid: not a plain, deliverable-looking e-mail address.
	ErrEmailInvalid = errors.New("identity: invalid email address")
	// ErrNIKFormat: not 16 digits, or a region, district or serial part
	// that no real NIK carries.
	ErrNIKFormat = errors.New("identity: invalid NIK format")
	// ErrNIKProvince: the first two digits are not a province code.
	ErrNIKProvince = errors.New("identity: unknown NIK province code")
	// ErrNIKBirthDate: digits 7-12 are not a real, plausible birth date.
	ErrNIKBirthDate = errors.New("identity: invalid NIK birth date")
)
