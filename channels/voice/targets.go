package voice

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTargetNotAllowed: the agent's number or SIP address is well formed
// but not on the configured allow-list (Opts.CallbackTargets).
var ErrTargetNotAllowed = errors.New("voice: callback target not allowed")

// DefaultCallbackTargets allows Indonesian numbers only.
var DefaultCallbackTargets = []string{"+62"}

// targets is the allow-list of where a callback may be put through once
// the citizen answers: number prefixes ("+62", "+6221") and SIP hosts
// ("sip:pbx.example.id" allows every address at that host). A call-back
// target is a place the program pays to connect a citizen to, and the
// citizen's number goes with the call: it must be one of the program's
// own phones or switches, not any number an account can type.
type targets struct {
	prefixes []string
	sipHosts map[string]bool
}

// parseTargets reads allow-list entries (see targets).
func parseTargets(items []string) (targets, error) {
	t := targets{sipHosts: map[string]bool{}}
	var bad []string
	for _, item := range items {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case strings.HasPrefix(item, "sip:"):
			host := strings.ToLower(strings.TrimPrefix(item, "sip:"))
			if host == "" || strings.ContainsAny(host, "@;:/ <>\"") {
				bad = append(bad, item)
				continue
			}
			t.sipHosts[host] = true
		case len(item) >= 2 && item[0] == '+' && strings.Trim(item[1:], "0123456789") == "":
			t.prefixes = append(t.prefixes, item)
		default:
			bad = append(bad, item)
		}
	}
	if len(bad) > 0 {
		return targets{}, fmt.Errorf("voice: callback targets %q: want +<digits> number prefixes or sip:<host>", bad)
	}
	return t, nil
}

// ParseCallbackTargets checks allow-list entries (for configuration).
func ParseCallbackTargets(items []string) error {
	_, err := parseTargets(items)
	return err
}

// check returns the dial form of target when the allow-list lets a
// callback be put through to it: a number with the national trunk prefix
// (0…) becomes +62…; a SIP address must be at a listed host.
func (t targets) check(target string) (string, error) {
	if strings.HasPrefix(strings.ToLower(target), "sip:") {
		target = "sip:" + target[4:]
		if !validDialTarget(target) {
			return "", ErrInvalidTarget
		}
		host := strings.ToLower(target[4:])
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		host, _, _ = strings.Cut(host, ";")
		host, _, _ = strings.Cut(host, ":")
		if !t.sipHosts[host] {
			return "", ErrTargetNotAllowed
		}
		return target, nil
	}
	n := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(target)
	if strings.HasPrefix(n, "0") && !strings.HasPrefix(n, "00") {
		n = "+62" + n[1:]
	}
	if !validDialTarget(n) {
		return "", ErrInvalidTarget
	}
	for _, p := range t.prefixes {
		if strings.HasPrefix(n, p) {
			return n, nil
		}
	}
	return "", ErrTargetNotAllowed
}
