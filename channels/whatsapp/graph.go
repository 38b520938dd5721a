package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// ErrGraph wraps every failed Graph API call.
var ErrGraph = errors.New("whatsapp: graph api")

// GraphError is an error answer of the Graph API.
type GraphError struct {
	HTTPStatus int
	apiErr
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("%s (HTTP %d)", e.describe(), e.HTTPStatus)
}

func (e *GraphError) Unwrap() error { return ErrGraph }

// Retryable reports whether trying again later may succeed: throttling,
// Meta's temporary errors, and server errors. Anything else (a bad
// request, a number not on WhatsApp, a closed window) fails the same way
// every time.
func (e *GraphError) Retryable() bool {
	switch e.Code {
	case 4, 80007, 130429, 131056, // rate limits: app, account, throughput, pair
		1, 2, 131000, 131016, 133004: // unknown, service unavailable, something went wrong, temporarily unavailable
		return true
	}
	return e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests
}

// graph calls the Graph API with the bearer token.
type graph struct {
	base    string // e.g. https://graph.facebook.com
	version string // e.g. v23.0
	token   string
	http    *http.Client
	// maxAnswer bounds a JSON answer read into memory.
	maxAnswer int64
}

func (g *graph) url(parts ...string) string {
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = url.PathEscape(p)
	}
	return g.base + "/" + g.version + "/" + strings.Join(esc, "/")
}

// do sends req with the token and decodes a JSON answer into out; an error
// answer becomes a *GraphError, a network failure an error wrapping
// ErrGraph (retryable).
func (g *graph) do(req *http.Request, out any) error {
	req.Header.Set("Authorization", "Bearer "+g.token)
	res, err := g.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrGraph, req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, g.maxAnswer))
	if err != nil {
		return fmt.Errorf("%w: %s %s: read: %v", ErrGraph, req.Method, req.URL.Path, err)
	}
	if res.StatusCode/100 != 2 {
		ge := &GraphError{HTTPStatus: res.StatusCode}
		var wrapped struct {
			Error struct {
				apiErr
				Type         string `json:"type"`
				ErrorSubcode int    `json:"error_subcode"`
				FBTraceID    string `json:"fbtrace_id"`
			} `json:"error"`
		}
		if json.Unmarshal(body, &wrapped) == nil {
			ge.apiErr = wrapped.Error.apiErr
		}
		if ge.Message == "" && ge.Title == "" {
			ge.Message = http.StatusText(res.StatusCode)
		}
		return ge
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %s %s: answer: %v", ErrGraph, req.Method, req.URL.Path, err)
	}
	return nil
}

// sendAnswer is the answer to POST /{phone-number-id}/messages.
type sendAnswer struct {
	MessagingProduct string `json:"messaging_product"`
	Contacts         []struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status"`
	} `json:"messages"`
}

// send posts one message and returns its wamid.
func (g *graph) send(ctx context.Context, from string, msg any) (string, error) {
	b, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("whatsapp: encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url(from, "messages"), bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrGraph, err)
	}
	req.Header.Set("Content-Type", "application/json")
	var ans sendAnswer
	if err := g.do(req, &ans); err != nil {
		return "", err
	}
	if len(ans.Messages) == 0 || ans.Messages[0].ID == "" {
		return "", fmt.Errorf("%w: send answer without a message id", ErrGraph)
	}
	return ans.Messages[0].ID, nil
}

// mediaInfo is the answer to GET /{media-id}.
type mediaInfo struct {
	URL      string  `json:"url"`
	MimeType string  `json:"mime_type"`
	SHA256   string  `json:"sha256"`
	FileSize flexInt `json:"file_size"`
	ID       string  `json:"id"`
}

func (g *graph) media(ctx context.Context, id string) (mediaInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.url(id), nil)
	if err != nil {
		return mediaInfo{}, fmt.Errorf("%w: %v", ErrGraph, err)
	}
	var mi mediaInfo
	if err := g.do(req, &mi); err != nil {
		return mediaInfo{}, err
	}
	if mi.URL == "" {
		return mediaInfo{}, fmt.Errorf("%w: media %s without url", ErrGraph, id)
	}
	return mi, nil
}

// download opens the media URL (it needs the same bearer token). The
// caller closes the body.
func (g *graph) download(ctx context.Context, rawURL string) (io.ReadCloser, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &GraphError{HTTPStatus: http.StatusBadRequest, apiErr: apiErr{Message: "media url is not http(s)"}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGraph, err)
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	res, err := g.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: download media: %v", ErrGraph, err)
	}
	if res.StatusCode/100 != 2 {
		res.Body.Close()
		return nil, &GraphError{HTTPStatus: res.StatusCode, apiErr: apiErr{Message: "media download: " + http.StatusText(res.StatusCode)}}
	}
	return res.Body, nil
}

// upload posts a file to /{phone-number-id}/media and returns its media id.
func (g *graph) upload(ctx context.Context, from, filename, mime string, r io.Reader) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("messaging_product", "whatsapp"); err != nil {
		return "", err
	}
	if err := w.WriteField("type", mime); err != nil {
		return "", err
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", mime)
	part, err := w.CreatePart(h)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(part, r); err != nil {
		return "", fmt.Errorf("whatsapp: read attachment: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url(from, "media"), &buf)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrGraph, err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	var ans struct {
		ID string `json:"id"`
	}
	if err := g.do(req, &ans); err != nil {
		return "", err
	}
	if ans.ID == "" {
		return "", fmt.Errorf("%w: upload answer without an id", ErrGraph)
	}
	return ans.ID, nil
}
