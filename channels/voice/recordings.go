package voice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/mask"
)

// Recorded audio: what the fetch accepts and how hard it tries.
const (
	// maxRecordingBytes bounds one recording: ten minutes of the
	// provider's 8 kHz 16-bit mono WAV is about 9.6 MB.
	maxRecordingBytes = 12 << 20
	// fetchAttempts is how often a recording is tried before its
	// message is recorded without the audio (the URL stays on it).
	fetchAttempts = 8
)

// jobRecording is the kind of the voice channel's recording downloads.
const jobRecording = "recording"

// recordingTypes are the audio types a recording may be stored as.
var recordingTypes = []string{"audio/wave", "audio/mpeg"}

// What a recording job records. A job without a kind is a voicemail, as
// every job was before conversations were recorded.
const (
	recordingVoicemail = ""
	recordingCall      = "call"
)

// recordingJob is a recording waiting for its audio, on the JOBS stream:
// a voicemail, or the conversation of a call with an agent.
type recordingJob struct {
	Kind         string          `json:"kind,omitempty"`
	CallSid      string          `json:"call_sid"`
	Sender       envelope.Sender `json:"sender"`
	RecordingURL string          `json:"recording_url"`
	RecordingSid string          `json:"recording_sid,omitempty"`
	Duration     int             `json:"duration"`
	Path         string          `json:"path,omitempty"`
	ReceivedAt   time.Time       `json:"received_at"`
}

// messageID is the provider message id of the job's message: one
// voicemail per call, one message per recording of a conversation, so the
// provider's retries never record twice.
func (job recordingJob) messageID() string {
	if job.Kind == recordingCall {
		return job.CallSid + ":recording:" + job.RecordingSid
	}
	return job.CallSid + ":voicemail"
}

// enqueueRecording puts a recording on the fetch queue, returning once
// JetStream has it. A voicemail is keyed by its call, a conversation by
// its recording.
func (a *Adapter) enqueueRecording(ctx context.Context, job recordingJob) error {
	key := job.CallSid
	if job.Kind == recordingCall {
		key = job.messageID()
	}
	return a.o.Bus.PublishJob(ctx, domain.ChannelVoice, jobRecording, key, job)
}

// callRecordingWebhook takes the provider's recording status callback of
// a conversation with an agent (a transfer by Dial, a callback call, or
// an agent's <Dial><Queue> pointed here). It is no step of the call, so
// it answers no TwiML: 204 once a completed recording is durably on the
// fetch queue, or for a status that brings no recording (absent, failed:
// logged); 503 when the job could not be made durable, so the provider
// tries again; 400 for parameters not of the provider's shape. The
// message goes to the caller's ticket: the caller is read from the call
// as the voice store keeps it, or, for a recording made on an agent's
// call, from the queued call that agent took (bridged).
func (a *Adapter) callRecordingWebhook(c *fiber.Ctx) error {
	form, ok := a.verified(c)
	if !ok {
		return c.Status(fiber.StatusForbidden).SendString("forbidden")
	}
	rec, err := parseCall(form)
	if err == nil && rec.RecordingStatus == recordingCompleted && (rec.RecordingURL == "" || rec.RecordingSid == "") {
		err = fmt.Errorf("%w: completed recording without RecordingUrl or RecordingSid", errBadRequest)
	}
	if err != nil {
		a.o.Log.Warn("voice call recording bad input", "path", c.Path(), "err", err)
		return c.SendStatus(fiber.StatusBadRequest)
	}
	if rec.RecordingStatus != recordingCompleted {
		a.o.Log.Warn("voice call recording not made", "call_sid", rec.CallSid, "recording_sid", rec.RecordingSid,
			"status", rec.RecordingStatus, "source", rec.RecordingSource)
		return c.SendStatus(fiber.StatusNoContent)
	}
	ctx := c.UserContext()
	call, err := a.store.call(ctx, rec.CallSid)
	if errors.Is(err, errCallNotFound) {
		// The agents' <Dial><Queue> records under the agent's call.
		call, err = a.store.callOfAgent(ctx, rec.CallSid)
	}
	switch {
	case errors.Is(err, errCallNotFound):
		// Kept all the same, on a contact of the call's own, as for a
		// withheld number: a recording is never dropped.
		a.o.Log.Warn("voice call recording of an unknown call", "call_sid", rec.CallSid, "recording_sid", rec.RecordingSid, "source", rec.RecordingSource)
	case err != nil:
		a.o.Log.Error("voice call recording not queued", "call_sid", rec.CallSid, "err", err)
		c.Set(fiber.HeaderRetryAfter, "2")
		return c.Status(fiber.StatusServiceUnavailable).SendString("unavailable")
	}
	from := envelope.Sender{VisitorID: "call-" + rec.CallSid}
	if call.Caller != "" {
		from = envelope.Sender{Phone: call.Caller}
	}
	job := recordingJob{
		Kind: recordingCall, CallSid: rec.CallSid, Sender: from, RecordingURL: rec.RecordingURL, RecordingSid: rec.RecordingSid,
		Duration: rec.RecordingDuration, Path: call.Path, ReceivedAt: a.o.Now().UTC(),
	}
	if err := a.enqueueRecording(ctx, job); err != nil {
		a.o.Log.Warn("voice call recording not queued; provider told to retry", "call_sid", rec.CallSid, "err", err)
		c.Set(fiber.HeaderRetryAfter, "2")
		return c.Status(fiber.StatusServiceUnavailable).SendString("unavailable")
	}
	a.o.Log.Info("voice call recording queued", "call_sid", rec.CallSid, "recording_sid", rec.RecordingSid,
		"source", rec.RecordingSource, "caller", mask.Phone(call.Caller))
	return c.SendStatus(fiber.StatusNoContent)
}

// RunRecordings fetches recordings (voicemail, conversations with agents)
// into the attachment store and publishes each as a message with its
// audio. A fetch that fails is retried with growing delays; after the
// last attempt the message is published without audio (its text carries
// the recording's URL), so a message is never lost to a provider outage.
func (a *Adapter) RunRecordings(ctx context.Context) error {
	backoff := make([]time.Duration, fetchAttempts)
	for i := range backoff {
		backoff[i] = min(2*time.Second<<i, 5*time.Minute)
		if a.o.RecordingBackoff != nil {
			backoff[i] = a.o.RecordingBackoff(i + 1)
		}
	}
	return a.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelVoice, Kind: jobRecording, Log: a.o.Log},
		func(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
			return a.handleRecording(ctx, data, attempt, backoff)
		})
}

func (a *Adapter) handleRecording(ctx context.Context, data []byte, attempt int, backoff []time.Duration) (bus.JobOutcome, time.Duration) {
	var job recordingJob
	if err := json.Unmarshal(data, &job); err != nil || job.CallSid == "" {
		a.o.Log.Error("voice: unreadable recording job", "err", err)
		return bus.JobDrop, 0
	}
	m, ok := recordingMessages[job.Kind]
	if !ok || (job.Kind == recordingCall && job.RecordingSid == "") {
		a.o.Log.Error("voice: recording job of an unknown kind", "call_sid", job.CallSid, "kind", job.Kind)
		return bus.JobDrop, 0
	}
	var atts []envelope.Attachment
	st, err := a.fetchRecording(ctx, job.RecordingURL)
	switch {
	case err == nil:
		atts = []envelope.Attachment{{Key: st.Key, Filename: m.filename + job.CallSid + extension(st.MIME), MIME: st.MIME, Size: st.Size}}
	case attempt < fetchAttempts && ctx.Err() == nil:
		a.o.Log.Warn("voice: recording fetch failed, will retry", "call_sid", job.CallSid, "recording", m.kind, "attempt", attempt, "err", err)
		return bus.JobRetry, backoff[attempt-1]
	default:
		a.o.Log.Error("voice: recording fetch failed for good; message kept without audio", "call_sid", job.CallSid, "recording", m.kind, "attempt", attempt, "err", err)
	}
	in := envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelVoice,
		ProviderMessageID: job.messageID(),
		Sender:            job.Sender,
		Attachments:       atts,
		Fields: map[string]string{
			envelope.FieldKind:         string(m.kind),
			envelope.FieldIVRPath:      job.Path,
			envelope.FieldRecordingURL: job.RecordingURL,
			envelope.FieldCallDuration: strconv.Itoa(job.Duration),
		},
		ReceivedAt: job.ReceivedAt,
	}
	if len(atts) > 0 {
		in.Text = a.text(m.text, "seconds", job.Duration)
	} else {
		in.Text = a.text(m.textNoAudio, "seconds", job.Duration, "url", job.RecordingURL)
	}
	if err := in.Validate(); err != nil {
		// Only a job written by another version could fail here; keep it
		// out of the way rather than retry it for ever.
		a.o.Log.Error("voice: recording envelope invalid", "call_sid", job.CallSid, "recording", m.kind, "err", err)
		a.discardAll(atts)
		return bus.JobDrop, 0
	}
	if err := a.o.Bus.PublishInbound(ctx, in); err != nil {
		a.o.Log.Warn("voice: recording publish failed, will retry", "call_sid", job.CallSid, "recording", m.kind, "err", err)
		a.discardAll(atts)
		return bus.JobRetry, 2 * time.Second
	}
	a.o.Log.Info("voice recording published", "call_sid", job.CallSid, "recording", m.kind, "caller", mask.Phone(job.Sender.Phone), "audio", len(atts) > 0)
	return bus.JobDone, 0
}

// recordingMessages is what each kind of recording job becomes: the
// message kind, its text keys with and without the audio, and the start
// of the audio's file name.
var recordingMessages = map[string]struct {
	kind        domain.Kind
	text        string
	textNoAudio string
	filename    string
}{
	recordingVoicemail: {domain.KindVoicemail, "voice.voicemail", "voice.voicemail_no_audio", "pesan-suara-"},
	recordingCall:      {domain.KindCallRecording, "voice.call_recording", "voice.call_recording_no_audio", "rekaman-percakapan-"},
}

// fetchRecording downloads a recording into the attachment store, with the
// account's credentials when it is on the provider's API host (providers
// may require them for media).
func (a *Adapter) fetchRecording(ctx context.Context, rawURL string) (attachment.Stored, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return attachment.Stored{}, fmt.Errorf("voice: recording request: %w", err)
	}
	// The account's credentials go only to the provider's own API host,
	// wherever a recording URL points.
	if base, err := url.Parse(a.o.Provider.APIBaseURL); err == nil && base.Host == req.URL.Host {
		req.SetBasicAuth(a.o.Provider.AccountSID, a.o.Provider.AuthToken)
	}
	res, err := a.o.HTTP.Do(req)
	if err != nil {
		return attachment.Stored{}, fmt.Errorf("voice: recording fetch: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
		return attachment.Stored{}, fmt.Errorf("voice: recording fetch: status %d", res.StatusCode)
	}
	st, err := a.o.Attachments.Put(ctx, res.Body, maxRecordingBytes, recordingTypes)
	if err != nil {
		return attachment.Stored{}, fmt.Errorf("voice: store recording: %w", err)
	}
	return st, nil
}

// discardAll removes fetched audio that no message will reference.
func (a *Adapter) discardAll(atts []envelope.Attachment) {
	for _, at := range atts {
		if err := a.o.Attachments.Delete(context.Background(), at.Key); err != nil {
			a.o.Log.Warn("voice: discard recording", "key", at.Key, "err", err)
		}
	}
}

func extension(mime string) string {
	if mime == "audio/mpeg" {
		return ".mp3"
	}
	return ".wav"
}
