package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// WhatsApp sends an approved template through the WhatsApp Business Cloud
// API (POST {base}/{version}/{phone_number_id}/messages, bearer token):
// the only message a business may send outside the 24-hour window.
type WhatsApp struct {
	BaseURL       string // https://graph.facebook.com
	Version       string // v23.0
	PhoneNumberID string
	AccessToken   string
	Client        *http.Client
}

type waParam struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type waComponent struct {
	Type       string    `json:"type"`
	Parameters []waParam `json:"parameters"`
}

type waTemplate struct {
	Name       string            `json:"name"`
	Language   map[string]string `json:"language"`
	Components []waComponent     `json:"components,omitempty"`
}

type waSend struct {
	MessagingProduct string     `json:"messaging_product"`
	RecipientType    string     `json:"recipient_type"`
	To               string     `json:"to"`
	Type             string     `json:"type"`
	Template         waTemplate `json:"template"`
	// BizOpaqueCallbackData comes back with every status of the message
	// (channels/whatsapp hands those statuses to notify).
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data,omitempty"`
}

type waAnswer struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
	Error *struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
	} `json:"error"`
}

// Send sends m's template; 429, 5xx and Graph's throttling codes are
// temporary, other refusals permanent.
func (w *WhatsApp) Send(ctx context.Context, m Message) (string, error) {
	if m.Template == "" {
		return "", Permanent(fmt.Errorf("whatsapp: no template configured"))
	}
	params := make([]waParam, 0, len(m.TemplateParams))
	for _, p := range m.TemplateParams {
		params = append(params, waParam{Type: "text", Text: p})
	}
	body := waSend{MessagingProduct: "whatsapp", RecipientType: "individual", To: strings.TrimPrefix(m.To, "+"), Type: "template",
		Template: waTemplate{Name: m.Template, Language: map[string]string{"code": m.TemplateLang}}, BizOpaqueCallbackData: m.Ref}
	if len(params) > 0 {
		body.Template.Components = []waComponent{{Type: "body", Parameters: params}}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return "", Permanent(err)
	}
	u := strings.TrimRight(w.BaseURL, "/") + "/" + w.Version + "/" + w.PhoneNumberID + "/messages"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(raw))
	if err != nil {
		return "", Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.AccessToken)
	cl := w.Client
	if cl == nil {
		cl = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := cl.Do(req)
	if err != nil {
		return "", fmt.Errorf("whatsapp: %w", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var a waAnswer
	_ = json.Unmarshal(out, &a)
	if resp.StatusCode/100 == 2 && len(a.Messages) > 0 && a.Messages[0].ID != "" {
		return a.Messages[0].ID, nil
	}
	msg, code := fmt.Sprintf("HTTP %d", resp.StatusCode), 0
	if a.Error != nil {
		msg, code = a.Error.Message, a.Error.Code
	}
	err = fmt.Errorf("whatsapp: %s (code %d)", msg, code)
	// 4, 80007, 130429, 131048, 131056: rate limits; 1, 2, 131000: transient.
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", err
	case code == 4 || code == 80007 || code == 130429 || code == 131048 || code == 131056 || code == 1 || code == 2 || code == 131000:
		return "", err
	}
	return "", Permanent(err)
}
