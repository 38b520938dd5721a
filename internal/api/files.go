package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/apperr"
	"tanggap/internal/envelope"
	"tanggap/internal/ticket"
)

// Files in agent replies: POST /api/v1/tickets/{id}/messages also takes
// multipart/form-data with the fields body (text), buttons (JSON, as in
// the JSON form) and files parts ("attachments" also, as on the complaint
// form). What a channel carries
// comes from its adapter (channels.ReplyFiles); a channel whose adapter
// does not say carries no files.

// replyForm is a reply read from multipart/form-data.
type replyForm struct {
	Body    string
	Buttons []envelope.Button
	Files   []formFile
	Seen    int64 // ticket.Draft.Seen
}

type formFile struct {
	Name string
	Data []byte
}

// Bounds of the form's parts besides the files.
const (
	maxFormParts     = 24
	maxFormTextBytes = 64 << 10
)

var errForm = errors.New("api: malformed reply form")

func badForm(format string, args ...any) error {
	return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest,
		Err: fmt.Errorf("%w: %s", errForm, fmt.Sprintf(format, args...))}
}

// isMultipart reports whether the request is a form with files.
func isMultipart(c *fiber.Ctx) bool {
	return strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), fiber.MIMEMultipartForm)
}

// parseReplyForm reads a reply form from its content type and body. The
// body is already bounded by the server's body limit; the text fields are
// bounded here. A file part without a file name and without bytes (a
// browser's empty file input) is skipped.
func parseReplyForm(contentType string, body []byte) (replyForm, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return replyForm{}, badForm("content type %q", contentType)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var f replyForm
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return replyForm{}, badForm("%v", err)
		}
		if n == maxFormParts {
			return replyForm{}, badForm("more than %d parts", maxFormParts)
		}
		switch p.FormName() {
		case "body":
			b, err := readText(p)
			if err != nil {
				return replyForm{}, err
			}
			f.Body = b
		case "buttons":
			b, err := readText(p)
			if err != nil {
				return replyForm{}, err
			}
			if strings.TrimSpace(b) != "" {
				if err := json.Unmarshal([]byte(b), &f.Buttons); err != nil {
					return replyForm{}, badForm("buttons: %v", err)
				}
			}
		case "seen":
			b, err := readText(p)
			if err != nil {
				return replyForm{}, err
			}
			if b = strings.TrimSpace(b); b != "" {
				if f.Seen, err = strconv.ParseInt(b, 10, 64); err != nil {
					return replyForm{}, badForm("seen: %q is not a message id", b)
				}
			}
		case "files", "attachments": // "attachments" as on the complaint form
			data, err := io.ReadAll(p)
			if err != nil {
				return replyForm{}, badForm("file: %v", err)
			}
			if p.FileName() == "" && len(data) == 0 {
				continue
			}
			f.Files = append(f.Files, formFile{Name: p.FileName(), Data: data})
		default:
			if _, err := io.Copy(io.Discard, p); err != nil {
				return replyForm{}, badForm("%v", err)
			}
		}
	}
}

func readText(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, maxFormTextBytes+1))
	if err != nil {
		return "", badForm("%s: %v", p.FormName(), err)
	}
	if len(b) > maxFormTextBytes {
		return "", badForm("%s over %d bytes", p.FormName(), maxFormTextBytes)
	}
	return string(b), nil
}

// handleReplyWithFiles is handleReply for a multipart form.
func (s *Server) handleReplyWithFiles(c *fiber.Ctx, id int64) error {
	form, err := parseReplyForm(string(c.Request().Header.ContentType()), c.Body())
	if err != nil {
		return err
	}
	viewer := current(c)
	t, err := s.o.Tickets.Summary(c.UserContext(), viewer, id)
	if err != nil {
		return err
	}
	uploads := make([]ticket.Upload, len(form.Files))
	for i, f := range form.Files {
		uploads[i] = ticket.Upload{Name: f.Name, Size: int64(len(f.Data)), Data: bytes.NewReader(f.Data)}
	}
	m, err := s.o.Tickets.ReplyWithFiles(c.UserContext(), viewer, id, ticket.Draft{Body: form.Body, Buttons: form.Buttons, Seen: form.Seen},
		s.fileRules(t.Channel), uploads)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

// fileRules is what the adapter of channel takes in a reply (none when
// it does not say).
func (s *Server) fileRules(channel string) ticket.FileRules {
	for _, a := range s.o.Adapters {
		if string(a.Channel()) != channel {
			continue
		}
		rf, ok := a.(channels.ReplyFiles)
		if !ok {
			break
		}
		p := rf.ReplyFiles()
		r := ticket.FileRules{Types: make(map[string]int64, len(p.Types)), MaxFiles: p.MaxFiles}
		for _, t := range p.Types {
			r.Types[t.MIME] = t.MaxBytes
		}
		return r
	}
	return ticket.FileRules{}
}
