package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/ticket"
)

// Media types a citizen's file may have once sniffed from its bytes: the
// formats WhatsApp carries (images, stickers, voice notes, audio, video,
// PDFs and office documents, which sniff as zip).
var mediaTypes = []string{
	"image/jpeg", "image/png", "image/webp", "image/gif",
	"audio/ogg", "application/ogg", "audio/mpeg", "audio/aac", "audio/amr", "audio/mp4", "audio/wave",
	"video/mp4", "video/3gpp", "video/webm",
	"application/pdf", "application/zip", "text/plain", "application/vnd.ms-excel", "application/msword",
}

// Bounds of the background jobs.
const (
	// maxStatusAttempts: a status for a wamid we never recorded (a message
	// sent by another tool on the same number) is dropped after this many
	// tries, a few minutes; a real one finds its record within seconds.
	maxStatusAttempts = 12
	// maxMediaAttempts: a file is retried for about a day (5 min apart at
	// most), longer than a core outage should last and about as long as
	// Meta keeps media.
	maxMediaAttempts = 300
)

// Run works the adapter's background jobs (media downloads, status
// updates) until ctx ends.
func (a *Adapter) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, k := range []struct {
		kind    string
		handler func(context.Context, []byte, int) outcome
	}{{jobMedia, a.mediaJob}, {jobStatus, a.statusJob}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelWhatsApp, Kind: k.kind, Log: a.log},
				func(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
					return k.handler(ctx, data, attempt), a.o.MediaBackoff(attempt)
				})
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// outcome is what a job handler decided.
type outcome = bus.JobOutcome

const (
	done  = bus.JobDone
	retry = bus.JobRetry
	drop  = bus.JobDrop
)

// statusJob turns a status webhook into a receipt for the reply it is
// about.
func (a *Adapter) statusJob(ctx context.Context, data []byte, attempt int) outcome {
	var j StatusJob
	if err := json.Unmarshal(data, &j); err != nil || j.WAMID == "" {
		a.log.Error("unreadable status job", "err", err)
		return drop
	}
	id, ok, err := a.store.messageOf(ctx, j.WAMID)
	if err != nil {
		a.log.Warn("status job", "wamid", j.WAMID, "err", err)
		return retry
	}
	if !ok {
		if attempt >= maxStatusAttempts {
			a.log.Warn("status for a message this service did not send; dropped", "wamid", j.WAMID, "status", j.Status)
			return drop
		}
		return retry // Meta can be faster than our record of the send
	}
	r := envelope.Receipt{V: envelope.Version, Channel: domain.ChannelWhatsApp, MessageID: id, Status: j.Status,
		ExternalID: j.WAMID, Error: j.Error, At: j.At}
	if err := a.o.Bus.PublishReceipt(ctx, r); err != nil {
		a.log.Warn("status receipt publish", "message_id", id, "err", err)
		return retry
	}
	return done
}

// mediaJob fetches one inbound file: wait until the message is stored,
// look up the media URL, download it with the token, store it, and point
// the attachment at it.
func (a *Adapter) mediaJob(ctx context.Context, data []byte, attempt int) outcome {
	var j MediaJob
	if err := json.Unmarshal(data, &j); err != nil || j.MediaID == "" || j.Key == "" {
		a.log.Error("unreadable media job", "err", err)
		return drop
	}
	log := a.log.With("wamid", j.WAMID, "media_id", j.MediaID, "attempt", attempt)
	giveUp := func(why string, err error) outcome {
		if attempt >= maxMediaAttempts {
			log.Error("media not fetched; the message stays without it", "why", why, "err", err)
			return drop
		}
		log.Warn("media fetch will retry", "why", why, "err", err)
		return retry
	}
	state, err := a.o.Media.MediaState(ctx, j.Key)
	switch {
	case err != nil:
		return giveUp("database", err)
	case state == ticket.MediaDone:
		return done
	case state == ticket.MediaAbsent:
		return giveUp("message not stored yet", nil)
	}
	st, err := a.fetch(ctx, j)
	if err != nil {
		var ge *GraphError
		if errors.Is(err, attachment.ErrTooLarge) || errors.Is(err, attachment.ErrType) || errors.Is(err, attachment.ErrEmptyUpload) ||
			(errors.As(err, &ge) && !ge.Retryable() && ge.HTTPStatus != 401 && ge.HTTPStatus != 403) {
			log.Error("media refused; the message stays without it", "err", err)
			return drop
		}
		return giveUp("download", err)
	}
	ok, err := a.o.Media.CompleteMedia(ctx, j.Key, st.Key, st.MIME, st.Size)
	if err != nil || !ok {
		// Not linked: the file is not needed (a concurrent fetch won) or
		// the update will be retried with a fresh download.
		if derr := a.o.Attachments.Delete(ctx, st.Key); derr != nil {
			log.Warn("delete unlinked media", "err", derr)
		}
		if err != nil {
			return giveUp("database", err)
		}
	}
	if ok {
		log.Debug("media stored", "bytes", st.Size, "mime", st.MIME)
	}
	return done
}

func (a *Adapter) fetch(ctx context.Context, j MediaJob) (attachment.Stored, error) {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	info, err := a.graph.media(ctx, j.MediaID)
	if err != nil {
		return attachment.Stored{}, err
	}
	if int64(info.FileSize) > a.o.MediaMaxBytes {
		return attachment.Stored{}, fmt.Errorf("%w: %d bytes", attachment.ErrTooLarge, info.FileSize)
	}
	body, err := a.graph.download(ctx, info.URL)
	if err != nil {
		return attachment.Stored{}, err
	}
	defer body.Close()
	return a.o.Attachments.Put(ctx, body, a.o.MediaMaxBytes, mediaTypes)
}
