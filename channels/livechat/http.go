package livechat

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/attachment"
	"tanggap/internal/locale"
)

// TokenHeader carries the visitor token on uploads.
const TokenHeader = "X-Livechat-Token"

// cors lets pages of the allowed sites call the widget's endpoints. No
// cookies are involved (the token travels in a header), so no
// credentials are allowed.
func (a *Adapter) cors(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	if origin != "" && a.hub.OriginAllowed(origin) {
		c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
		c.Set(fiber.HeaderAccessControlAllowHeaders, TokenHeader+", Content-Type")
		c.Set(fiber.HeaderAccessControlAllowMethods, "GET, POST")
		c.Set(fiber.HeaderAccessControlMaxAge, "600")
		c.Vary(fiber.HeaderOrigin)
	}
	if c.Method() == fiber.MethodOptions {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}

// widgetConfig is what the widget reads before it connects.
type widgetConfig struct {
	Lang      string            `json:"lang"`
	Languages map[string]string `json:"languages"`
	Texts     map[string]string `json:"texts"`
	Limits    Limits            `json:"limits"`
	Brand     WidgetBrand       `json:"brand"`
}

// WidgetBrand is the program the widget names: its short name and the
// path of its logo on this server (both empty: the neutral widget).
type WidgetBrand struct {
	Name string `json:"name,omitempty"`
	Logo string `json:"logo,omitempty"`
}

// handleConfig serves the widget's texts (livechat.* keys) in the asked
// language, the language names for the switch, and the limits.
func (a *Adapter) handleConfig(c *fiber.Ctx) error {
	lang, ok := locale.Normalize(c.Query("lang"))
	if !ok {
		lang = locale.Default
	}
	all := a.o.Locale.All(lang)
	texts := map[string]string{}
	for k, v := range all {
		if strings.HasPrefix(k, "livechat.") {
			texts[k] = v
		}
	}
	langs := map[string]string{}
	for _, l := range locale.Languages() {
		langs[l] = a.o.Locale.T(l, "lang.name")
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(widgetConfig{Lang: lang, Languages: langs, Texts: texts,
		Limits: Limits{MaxTextRunes: MaxTextRunes, MaxFiles: MaxFiles, MaxFileBytes: a.o.MaxFileBytes, FileTypes: a.o.FileTypes},
		Brand:  a.o.Brand})
}

// uploaded describes a stored upload; the widget names it in a message.
type uploaded struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int64  `json:"size"`
	Sig  string `json:"sig"`
}

// handleUpload stores one file (multipart field "file") for the visitor
// the token names. The type is sniffed from the bytes; the signature ties
// the file to the visitor, so a message can only carry files its visitor
// uploaded.
func (a *Adapter) handleUpload(c *fiber.Ctx) error {
	vid, err := a.sign.visitor(c.Get(TokenHeader))
	if err != nil {
		return &apperr.Coded{Status: fiber.StatusUnauthorized, Code: apperr.CodeUnauthorized, Err: err}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: fmt.Errorf("livechat: upload: %w", err)}
	}
	if fh.Size > a.o.MaxFileBytes {
		return &apperr.Coded{Status: fiber.StatusRequestEntityTooLarge, Code: apperr.CodeTooLarge, Err: attachment.ErrTooLarge}
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("livechat: upload: %w", err)
	}
	defer f.Close()
	st, err := a.o.Attachments.Put(c.UserContext(), f, a.o.MaxFileBytes, a.o.FileTypes)
	switch {
	case errors.Is(err, attachment.ErrTooLarge):
		return &apperr.Coded{Status: fiber.StatusRequestEntityTooLarge, Code: apperr.CodeTooLarge, Err: err}
	case errors.Is(err, attachment.ErrType), errors.Is(err, attachment.ErrEmptyUpload):
		return &apperr.Coded{Status: fiber.StatusUnsupportedMediaType, Code: apperr.CodeUnsupportedMediaType, Err: err}
	case err != nil:
		return err
	}
	name := cleanFilename(fh.Filename)
	return c.Status(fiber.StatusCreated).JSON(uploaded{Key: st.Key, Name: name, MIME: st.MIME, Size: st.Size,
		Sig: a.sign.mac("upload", vid, st.Key, st.MIME, strconv.FormatInt(st.Size, 10), name)})
}

// handleFile serves a file of a visitor's log through its signed link.
func (a *Adapter) handleFile(c *fiber.Ctx) error {
	v, k, m, n := c.Query("v"), c.Query("k"), c.Query("m"), c.Query("n")
	if !a.sign.check(c.Query("s"), "download", v, k, m, n) {
		return &apperr.Coded{Status: fiber.StatusNotFound, Code: apperr.CodeNotFound, Err: errors.New("livechat: bad file link")}
	}
	rc, err := a.o.Attachments.Open(c.UserContext(), k)
	if errors.Is(err, attachment.ErrNotFound) || errors.Is(err, attachment.ErrInvalidKey) {
		return &apperr.Coded{Status: fiber.StatusNotFound, Code: apperr.CodeNotFound, Err: err}
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	body, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("livechat: read file: %w", err)
	}
	c.Set(fiber.HeaderContentType, m)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	disp := "inline"
	if !strings.HasPrefix(m, "image/") {
		disp = "attachment"
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("%s; filename=%q", disp, cleanFilename(n)))
	return c.Send(body)
}

// cleanFilename keeps a display name: no path, no control or quote
// characters, at most 120 runes.
func cleanFilename(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '"' {
			continue
		}
		if n == 120 {
			break
		}
		b.WriteRune(r)
		n++
	}
	if b.Len() == 0 {
		return "file"
	}
	return b.String()
}
