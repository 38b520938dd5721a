package voice

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// The TwiML documents this adapter answers. Each verb carries only the
// attributes Twilio's voice reference documents for it; empty attributes
// are left out so the provider's defaults apply. A Response is built per
// request and never shared.

// Response is the root of every TwiML answer.
type Response struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []any
}

// Say speaks text with text-to-speech.
type Say struct {
	XMLName  xml.Name `xml:"Say"`
	Voice    string   `xml:"voice,attr,omitempty"`
	Language string   `xml:"language,attr,omitempty"`
	Loop     string   `xml:"loop,attr,omitempty"`
	Text     string   `xml:",chardata"`
}

// Play plays an audio file by URL.
type Play struct {
	XMLName xml.Name `xml:"Play"`
	Loop    string   `xml:"loop,attr,omitempty"`
	URL     string   `xml:",chardata"`
}

// Pause waits in silence.
type Pause struct {
	XMLName xml.Name `xml:"Pause"`
	Length  string   `xml:"length,attr,omitempty"`
}

// Gather collects keypad digits while its nested Say/Play run.
type Gather struct {
	XMLName     xml.Name `xml:"Gather"`
	Input       string   `xml:"input,attr,omitempty"`
	Action      string   `xml:"action,attr,omitempty"`
	Method      string   `xml:"method,attr,omitempty"`
	Timeout     string   `xml:"timeout,attr,omitempty"`
	FinishOnKey string   `xml:"finishOnKey,attr,omitempty"`
	NumDigits   string   `xml:"numDigits,attr,omitempty"`
	Language    string   `xml:"language,attr,omitempty"`
	Prompts     []any
}

// Record records the caller (voicemail).
type Record struct {
	XMLName                       xml.Name `xml:"Record"`
	Action                        string   `xml:"action,attr,omitempty"`
	Method                        string   `xml:"method,attr,omitempty"`
	Timeout                       string   `xml:"timeout,attr,omitempty"`
	FinishOnKey                   string   `xml:"finishOnKey,attr,omitempty"`
	MaxLength                     string   `xml:"maxLength,attr,omitempty"`
	PlayBeep                      string   `xml:"playBeep,attr,omitempty"`
	Trim                          string   `xml:"trim,attr,omitempty"`
	RecordingStatusCallback       string   `xml:"recordingStatusCallback,attr,omitempty"`
	RecordingStatusCallbackMethod string   `xml:"recordingStatusCallbackMethod,attr,omitempty"`
	Transcribe                    string   `xml:"transcribe,attr,omitempty"`
	TranscribeCallback            string   `xml:"transcribeCallback,attr,omitempty"`
}

// Dial connects the caller to another party.
type Dial struct {
	XMLName  xml.Name `xml:"Dial"`
	Action   string   `xml:"action,attr,omitempty"`
	Method   string   `xml:"method,attr,omitempty"`
	Timeout  string   `xml:"timeout,attr,omitempty"`
	CallerID string   `xml:"callerId,attr,omitempty"`
	// Record records the bridged conversation (record-from-answer-dual:
	// caller and agent on separate channels); the provider posts the
	// finished recording to RecordingStatusCallback.
	Record                        string `xml:"record,attr,omitempty"`
	RecordingStatusCallback       string `xml:"recordingStatusCallback,attr,omitempty"`
	RecordingStatusCallbackMethod string `xml:"recordingStatusCallbackMethod,attr,omitempty"`
	RecordingStatusCallbackEvent  string `xml:"recordingStatusCallbackEvent,attr,omitempty"`
	// Exactly one of the nouns is set.
	Number *Number `xml:"Number,omitempty"`
	Sip    *Sip    `xml:"Sip,omitempty"`
	Queue  *Queue  `xml:"Queue,omitempty"`
}

// Number is a phone number to Dial.
type Number struct {
	StatusCallbackEvent  string `xml:"statusCallbackEvent,attr,omitempty"`
	StatusCallback       string `xml:"statusCallback,attr,omitempty"`
	StatusCallbackMethod string `xml:"statusCallbackMethod,attr,omitempty"`
	Value                string `xml:",chardata"`
}

// Sip is a SIP URI to Dial.
type Sip struct {
	StatusCallbackEvent  string `xml:"statusCallbackEvent,attr,omitempty"`
	StatusCallback       string `xml:"statusCallback,attr,omitempty"`
	StatusCallbackMethod string `xml:"statusCallbackMethod,attr,omitempty"`
	Value                string `xml:",chardata"`
}

// Queue is a queue to Dial (an agent taking the next caller).
type Queue struct {
	Value string `xml:",chardata"`
}

// Enqueue puts the caller in a provider-side queue with hold music.
type Enqueue struct {
	XMLName       xml.Name `xml:"Enqueue"`
	Action        string   `xml:"action,attr,omitempty"`
	Method        string   `xml:"method,attr,omitempty"`
	WaitURL       string   `xml:"waitUrl,attr,omitempty"`
	WaitURLMethod string   `xml:"waitUrlMethod,attr,omitempty"`
	Name          string   `xml:",chardata"`
}

// Redirect continues the call with the TwiML of another URL.
type Redirect struct {
	XMLName xml.Name `xml:"Redirect"`
	Method  string   `xml:"method,attr,omitempty"`
	URL     string   `xml:",chardata"`
}

// Hangup ends the call.
type Hangup struct {
	XMLName xml.Name `xml:"Hangup"`
}

// Leave takes a caller out of a queue (used by the hold music's URL when
// the queue closes).
type Leave struct {
	XMLName xml.Name `xml:"Leave"`
}

// add appends verbs.
func (r *Response) add(v ...any) *Response {
	r.Verbs = append(r.Verbs, v...)
	return r
}

// Marshal renders the document with its XML declaration.
func (r *Response) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	// Every value above marshals; an error here is a programming mistake
	// caught by the tests.
	if err := xml.NewEncoder(&b).Encode(r); err != nil {
		panic("voice: twiml: " + err.Error())
	}
	return b.Bytes()
}

func itoa(n int) string { return strconv.Itoa(n) }
