package voice

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
)

// Signature computes the X-Twilio-Signature of a request: HMAC-SHA1, keyed
// with the account's auth token, over the full URL the provider called
// (scheme, host, path and query exactly as configured) followed by every
// POST parameter name and value, sorted by name (byte order), without
// separators; base64 encoded. A repeated parameter contributes each value,
// values in sorted order.
func Signature(authToken, fullURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	for _, k := range keys {
		vals := append([]string(nil), params[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidSignature reports whether got is the signature of the request, in
// constant time. An empty token or signature never validates.
func ValidSignature(authToken, fullURL string, params url.Values, got string) bool {
	if authToken == "" || got == "" {
		return false
	}
	want := Signature(authToken, fullURL, params)
	return hmac.Equal([]byte(want), []byte(got))
}
