package voice

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/mask"
)

// Voicemail audio: what the fetch accepts and how hard it tries.
const (
	// maxRecordingBytes bounds one recording: ten minutes of the
	// provider's 8 kHz 16-bit mono WAV is about 9.6 MB.
	maxRecordingBytes = 12 << 20
	// fetchAttempts is how often a recording is tried before the
	// voicemail is recorded without its audio (the URL stays on it).
	fetchAttempts = 8
)

// jobRecording is the kind of the voice channel's recording downloads.
const jobRecording = "recording"

// recordingTypes are the audio types a recording may be stored as.
var recordingTypes = []string{"audio/wave", "audio/mpeg"}

// recordingJob is a voicemail waiting for its audio, on the JOBS stream.
type recordingJob struct {
	CallSid      string          `json:"call_sid"`
	Sender       envelope.Sender `json:"sender"`
	RecordingURL string          `json:"recording_url"`
	RecordingSid string          `json:"recording_sid,omitempty"`
	Duration     int             `json:"duration"`
	Path         string          `json:"path,omitempty"`
	ReceivedAt   time.Time       `json:"received_at"`
}

// enqueueRecording puts a voicemail on the fetch queue, returning once
// JetStream has it.
func (a *Adapter) enqueueRecording(ctx context.Context, job recordingJob) error {
	return a.o.Bus.PublishJob(ctx, domain.ChannelVoice, jobRecording, job.CallSid, job)
}

// RunRecordings fetches voicemail recordings into the attachment store
// and publishes each voicemail as a message with its audio. A fetch that
// fails is retried with growing delays; after the last attempt the
// voicemail is published without audio (its text carries the recording's
// URL), so a message is never lost to a provider outage.
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
	var atts []envelope.Attachment
	st, err := a.fetchRecording(ctx, job.RecordingURL)
	switch {
	case err == nil:
		atts = []envelope.Attachment{{Key: st.Key, Filename: "pesan-suara-" + job.CallSid + extension(st.MIME), MIME: st.MIME, Size: st.Size}}
	case attempt < fetchAttempts && ctx.Err() == nil:
		a.o.Log.Warn("voice: recording fetch failed, will retry", "call_sid", job.CallSid, "attempt", attempt, "err", err)
		return bus.JobRetry, backoff[attempt-1]
	default:
		a.o.Log.Error("voice: recording fetch failed for good; voicemail kept without audio", "call_sid", job.CallSid, "attempt", attempt, "err", err)
	}
	in := envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelVoice,
		ProviderMessageID: job.CallSid + ":voicemail",
		Sender:            job.Sender,
		Attachments:       atts,
		Fields: map[string]string{
			envelope.FieldKind:         string(domain.KindVoicemail),
			envelope.FieldIVRPath:      job.Path,
			envelope.FieldRecordingURL: job.RecordingURL,
			envelope.FieldCallDuration: strconv.Itoa(job.Duration),
		},
		ReceivedAt: job.ReceivedAt,
	}
	if len(atts) > 0 {
		in.Text = a.text("voice.voicemail", "seconds", job.Duration)
	} else {
		in.Text = a.text("voice.voicemail_no_audio", "seconds", job.Duration, "url", job.RecordingURL)
	}
	if err := in.Validate(); err != nil {
		// Only a job written by another version could fail here; keep it
		// out of the way rather than retry it for ever.
		a.o.Log.Error("voice: voicemail envelope invalid", "call_sid", job.CallSid, "err", err)
		a.discardAll(atts)
		return bus.JobDrop, 0
	}
	if err := a.o.Bus.PublishInbound(ctx, in); err != nil {
		a.o.Log.Warn("voice: voicemail publish failed, will retry", "call_sid", job.CallSid, "err", err)
		a.discardAll(atts)
		return bus.JobRetry, 2 * time.Second
	}
	a.o.Log.Info("voicemail recorded", "call_sid", job.CallSid, "caller", mask.Phone(job.Sender.Phone), "audio", len(atts) > 0)
	return bus.JobDone, 0
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
