package livechat_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// upload posts one file to the widget's upload endpoint.
func upload(t *testing.T, base, token, name string, data []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", base+"/livechat/upload", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("X-Livechat-Token", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAttachments: a photo uploaded with the visitor's token goes out in a
// message, reaches the ticket, and downloads through its signed link;
// other types, a missing token and a tampered link are refused.
func TestAttachments(t *testing.T) {
	base := startApp(t)
	w := mustDial(t, base)
	tn := w.hello("", 0)["conversation"].(map[string]any)["tn"].(string)
	w.entriesUntilReplayed()
	token := w.token(t)
	img := pngBytes(t)

	if code, _ := upload(t, base, "", "a.png", img); code != 401 {
		t.Fatalf("upload without token: %d", code)
	}
	if code, _ := upload(t, base, token, "a.html", []byte("<html><script>alert(1)</script></html>")); code != 415 {
		t.Fatalf("html upload: %d", code)
	}
	code, up := upload(t, base, token, "../ktp.png", img)
	if code != 201 || up["mime"] != "image/png" || up["name"] != "ktp.png" {
		t.Fatalf("upload: %d %v", code, up)
	}
	w.send(map[string]any{"type": "msg", "cid": "f1", "text": "Foto KTP", "files": []any{up}})
	w.next("ack")
	e := w.next("entry")
	files, _ := e["files"].([]any)
	if len(files) != 1 {
		t.Fatalf("entry files = %v", e)
	}
	url := files[0].(map[string]any)["url"].(string)
	res, err := http.Get(base + url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, img) {
		t.Fatalf("download: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(got))
	}
	if res, err := http.Get(base + url + "x"); err != nil || res.StatusCode != 404 {
		t.Fatalf("tampered link: %v %v", err, res)
	}
	// A file signed for another visitor is refused.
	other := mustDial(t, base)
	other.hello("", 0)
	other.entriesUntilReplayed()
	other.send(map[string]any{"type": "msg", "cid": "f2", "files": []any{up}})
	if f := other.next("error"); f.str("code") != "bad_file" {
		t.Fatalf("foreign file: %v", f)
	}

	ag := newAgent(t, base)
	tk := ag.ticket(t, tn)
	testenv.CheckFor(t, asyncWait, 50*time.Millisecond, func() error {
		var d struct {
			Messages []struct {
				Attachments []struct {
					MIME string `json:"mime"`
				} `json:"attachments"`
			} `json:"messages"`
		}
		ag.Do("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil).JSON(t, &d)
		if len(d.Messages) == 0 || len(d.Messages[0].Attachments) != 1 || d.Messages[0].Attachments[0].MIME != "image/png" {
			return fmt.Errorf("ticket messages %+v", d.Messages)
		}
		return nil
	})
}
