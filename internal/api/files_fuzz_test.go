package api

import (
	"bytes"
	"errors"
	"mime/multipart"
	"testing"
)

func replyBody(t testing.TB, fields map[string]string, files map[string][]byte) (string, []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := w.CreateFormFile("files", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func TestParseReplyForm(t *testing.T) {
	ct, body := replyBody(t, map[string]string{"body": "Terlampir", "buttons": `[{"id":"ya","title":"Ya"}]`, "seen": "42"},
		map[string][]byte{"../surat.pdf": []byte("%PDF-1.4")})
	f, err := parseReplyForm(ct, body)
	if err != nil {
		t.Fatal(err)
	}
	if f.Body != "Terlampir" || len(f.Buttons) != 1 || len(f.Files) != 1 || f.Files[0].Name != "surat.pdf" || string(f.Files[0].Data) != "%PDF-1.4" || f.Seen != 42 {
		t.Fatalf("form = %+v", f)
	}
	// A browser's empty file input sends a part without name or bytes.
	ct, body = replyBody(t, map[string]string{"body": "x"}, map[string][]byte{"": nil})
	if f, err := parseReplyForm(ct, body); err != nil || len(f.Files) != 0 {
		t.Fatalf("empty file input: %+v %v", f, err)
	}
	for name, c := range map[string]struct{ ct, body string }{
		"not multipart":     {"application/json", `{"body":"x"}`},
		"no boundary":       {"multipart/form-data", "--x\r\n"},
		"truncated":         {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhalo"},
		"seen not a number": {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"seen\"\r\n\r\nkemarin\r\n--x--\r\n"},
		"buttons not JSON":  {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"buttons\"\r\n\r\n[oops\r\n--x--\r\n"},
		"body over 64 KiB":  {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n" + string(bytes.Repeat([]byte("a"), maxFormTextBytes+1)) + "\r\n--x--\r\n"},
	} {
		if _, err := parseReplyForm(c.ct, []byte(c.body)); !errors.Is(err, errForm) {
			t.Errorf("%s: got %v, want a malformed form", name, err)
		}
	}
}

// FuzzParseReplyForm: any content type and body give a form or a
// malformed-form error, never a panic; file names never carry a path.
func FuzzParseReplyForm(f *testing.F) {
	ct, body := replyBody(f, map[string]string{"body": "Terlampir"}, map[string][]byte{"surat.pdf": []byte("%PDF-1.4")})
	f.Add(ct, body)
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a/b.png\"\r\n\r\n\x89PNG\r\n--x--\r\n"))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"buttons\"\r\n\r\n[]\r\n--x--"))
	f.Add("text/plain", []byte("halo"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		form, err := parseReplyForm(ct, body)
		if err != nil {
			if !errors.Is(err, errForm) {
				t.Fatalf("error outside the catalog: %v", err)
			}
			return
		}
		if len(form.Body) > maxFormTextBytes {
			t.Fatalf("body of %d bytes", len(form.Body))
		}
		for _, fl := range form.Files {
			if bytes.ContainsAny([]byte(fl.Name), `/\`) {
				t.Fatalf("file name with a path: %q", fl.Name)
			}
		}
	})
}
