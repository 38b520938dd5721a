// Package voicetest is the telephony provider's side of the phone
// channel's tests: a caller's phone that drives the webhooks as the
// provider does (signed form posts following the TwiML's action URLs), a
// checker of TwiML answers against the documented verbs, and a stand-in
// for the provider's REST API and recording downloads.
package voicetest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// Elem is one element of a parsed TwiML answer.
type Elem struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*Elem
}

// Find returns the first element named name, depth first.
func (n *Elem) Find(name string) *Elem {
	if n.Name == name {
		return n
	}
	for _, c := range n.Children {
		if f := c.Find(name); f != nil {
			return f
		}
	}
	return nil
}

// AllText is every Say's text, joined, for checking what a caller hears.
func (n *Elem) AllText() string {
	var b strings.Builder
	var walk func(*Elem)
	walk = func(x *Elem) {
		if x.Name == "Say" {
			b.WriteString(x.Text)
			b.WriteString(" | ")
		}
		for _, c := range x.Children {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// saysWithout returns the text of the first <Say> whose language is not
// lang ("" when every Say has it).
func (n *Elem) saysWithout(lang string) string {
	if n.Name == "Say" && n.Attrs["language"] != lang {
		return n.Text
	}
	for _, c := range n.Children {
		if s := c.saysWithout(lang); s != "" {
			return s
		}
	}
	return ""
}

// documented are the attributes Twilio's TwiML voice reference documents
// for each verb and noun this adapter may answer with.
var documented = map[string][]string{
	"Response": {},
	"Say":      {"voice", "language", "loop"},
	"Play":     {"loop", "digits"},
	"Pause":    {"length"},
	"Gather": {"action", "method", "timeout", "finishOnKey", "numDigits", "input", "speechTimeout", "hints", "language",
		"partialResultCallback", "partialResultCallbackMethod", "profanityFilter", "actionOnEmptyResult", "speechModel", "enhanced"},
	"Record": {"action", "method", "timeout", "finishOnKey", "maxLength", "playBeep", "trim", "recordingStatusCallback",
		"recordingStatusCallbackMethod", "recordingStatusCallbackEvent", "storageUrl", "storageUrlMethod", "transcribe", "transcribeCallback"},
	"Dial": {"action", "method", "timeout", "hangupOnStar", "timeLimit", "callerId", "record", "trim", "answerOnBridge", "ringTone",
		"recordingStatusCallback", "recordingStatusCallbackMethod", "recordingStatusCallbackEvent", "recordingTrack", "sequential", "referUrl", "referMethod"},
	"Number":   {"sendDigits", "url", "method", "statusCallbackEvent", "statusCallback", "statusCallbackMethod", "byoc"},
	"Sip":      {"username", "password", "url", "method", "statusCallbackEvent", "statusCallback", "statusCallbackMethod"},
	"Queue":    {"url", "method", "reservationSid", "postWorkActivitySid"},
	"Enqueue":  {"action", "method", "waitUrl", "waitUrlMethod", "workflowSid", "maxQueueSize"},
	"Redirect": {"method"},
	"Hangup":   {},
	"Leave":    {},
}

// children says which elements may nest in which.
var children = map[string][]string{
	"Response": {"Say", "Play", "Pause", "Gather", "Record", "Dial", "Enqueue", "Redirect", "Hangup", "Leave"},
	"Gather":   {"Say", "Play", "Pause"},
	"Dial":     {"Number", "Sip", "Queue"},
}

// ParseTwiML parses an answer with encoding/xml and checks it against the
// documented verbs: element names, nesting, attribute names and values.
func ParseTwiML(body []byte) (*Elem, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*Elem
	var root *Elem
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("twiml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &Elem{Name: t.Name.Local, Attrs: map[string]string{}}
			for _, a := range t.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("twiml: two root elements")
				}
				root = n
			} else {
				stack[len(stack)-1].Children = append(stack[len(stack)-1].Children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil || root.Name != "Response" {
		return nil, fmt.Errorf("twiml: root is not <Response>")
	}
	return root, check(root)
}

func check(n *Elem) error {
	allowed, ok := documented[n.Name]
	if !ok {
		return fmt.Errorf("twiml: <%s> is not a documented verb or noun", n.Name)
	}
	for a, v := range n.Attrs {
		if !slices.Contains(allowed, a) {
			return fmt.Errorf("twiml: <%s %s> is not a documented attribute", n.Name, a)
		}
		if err := checkValue(n.Name, a, v); err != nil {
			return err
		}
	}
	switch n.Name {
	case "Say":
		if strings.TrimSpace(n.Text) == "" {
			return fmt.Errorf("twiml: empty <Say>")
		}
	case "Play", "Redirect":
		if !absoluteURL(strings.TrimSpace(n.Text)) {
			return fmt.Errorf("twiml: <%s> needs an absolute URL, got %q", n.Name, n.Text)
		}
	case "Enqueue", "Number", "Sip", "Queue":
		if strings.TrimSpace(n.Text) == "" {
			return fmt.Errorf("twiml: empty <%s>", n.Name)
		}
	case "Dial":
		if len(n.Children) != 1 {
			return fmt.Errorf("twiml: <Dial> wants one noun, has %d", len(n.Children))
		}
	}
	for i, c := range n.Children {
		if !slices.Contains(children[n.Name], c.Name) {
			return fmt.Errorf("twiml: <%s> may not contain <%s>", n.Name, c.Name)
		}
		if (c.Name == "Hangup" || c.Name == "Redirect") && i != len(n.Children)-1 {
			return fmt.Errorf("twiml: verbs after <%s> never run", c.Name)
		}
		if err := check(c); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(verb, attr, v string) error {
	bad := func() error { return fmt.Errorf("twiml: <%s %s=%q> is not a documented value", verb, attr, v) }
	positive := func() error {
		if n, err := strconv.Atoi(v); err != nil || n < 1 {
			return bad()
		}
		return nil
	}
	switch attr {
	case "method", "waitUrlMethod", "recordingStatusCallbackMethod", "statusCallbackMethod":
		if v != "GET" && v != "POST" {
			return bad()
		}
	case "statusCallbackEvent":
		for _, ev := range strings.Fields(v) {
			if !slices.Contains([]string{"initiated", "ringing", "answered", "completed"}, ev) {
				return bad()
			}
		}
	case "action", "waitUrl", "transcribeCallback", "recordingStatusCallback", "statusCallback", "url":
		if !absoluteURL(v) {
			return bad()
		}
		if _, err := url.Parse(v); err != nil {
			return bad()
		}
	case "record":
		if !slices.Contains([]string{"do-not-record", "record-from-answer", "record-from-ringing",
			"record-from-answer-dual", "record-from-ringing-dual"}, v) {
			return bad()
		}
	case "recordingStatusCallbackEvent":
		for _, ev := range strings.Fields(v) {
			if !slices.Contains([]string{"in-progress", "completed", "absent"}, ev) {
				return bad()
			}
		}
	case "timeout", "numDigits", "maxLength", "length":
		return positive()
	case "loop":
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return bad()
		}
	case "input":
		if v != "dtmf" && v != "speech" && v != "dtmf speech" {
			return bad()
		}
	case "finishOnKey":
		if len(v) > 1 || (v != "" && !strings.Contains("0123456789*#", v)) {
			return bad()
		}
	case "playBeep", "transcribe":
		if v != "true" && v != "false" {
			return bad()
		}
	case "language":
		if v != "id-ID" && v != "en-US" {
			return bad()
		}
	}
	return nil
}
