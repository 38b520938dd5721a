package whatsapp_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/png"
	"testing"

	"tanggap/channels"
	"tanggap/internal/attachment"
	"tanggap/internal/envelope"
)

// TestReplyFilesFollowMetasLimits: the types and sizes a WhatsApp reply
// takes are Meta's, lowered (never raised) by the operator's limit.
func TestReplyFilesFollowMetasLimits(t *testing.T) {
	g := newFakeGraph(t)
	a, _ := newSender(t, g, 80)
	p := a.ReplyFiles()
	for mime, want := range map[string]int64{"image/png": 5 << 20, "video/mp4": 16 << 20, attachment.MIMEDocx: 100 << 20,
		attachment.MIMEOpus: 16 << 20, "image/webp": 0, "text/html": 0, "application/zip": 0} {
		if got := p.Limit(mime); got != want {
			t.Errorf("%s: limit %d, want %d", mime, got, want)
		}
	}
	if p.MaxFiles != channels.DefaultReplyFiles {
		t.Errorf("max files %d", p.MaxFiles)
	}
	capped := channels.FileLimits{MaxBytes: 8 << 20, MaxFiles: 2}.Policy(p.Types)
	if capped.Limit("image/png") != 5<<20 || capped.Limit("application/pdf") != 8<<20 || capped.MaxFiles != 2 {
		t.Errorf("capped: png %d pdf %d files %d", capped.Limit("image/png"), capped.Limit("application/pdf"), capped.MaxFiles)
	}
}

// TestDeliverFilesUploadsThenSends: each file is uploaded to
// /{phone-number-id}/media as Meta documents it (the stand-in checks the
// type against the supported list and its size), then sent by media id:
// a picture as image with the text as caption, an Office document as
// document with its file name, a voice note as audio (no caption), a
// 3GPP video under Meta's spelling video/3gp.
func TestDeliverFilesUploadsThenSends(t *testing.T) {
	g := newFakeGraph(t)
	a, files := newSender(t, g, 80)
	ctx := context.Background()
	store := func(data []byte) envelope.Attachment {
		t.Helper()
		mime := attachment.Detect(bytes.NewReader(data), int64(len(data)))
		st, err := files.PutAs(ctx, bytes.NewReader(data), 1<<20, mime)
		if err != nil {
			t.Fatal(err)
		}
		return envelope.Attachment{Key: st.Key, MIME: st.MIME, Size: st.Size}
	}
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	var doc bytes.Buffer
	z := zip.NewWriter(&doc)
	for _, n := range []string{"[Content_Types].xml", "word/document.xml"} {
		w, _ := z.Create(n)
		w.Write([]byte("<x/>"))
	}
	z.Close()
	var video bytes.Buffer
	binary.Write(&video, binary.BigEndian, uint32(20))
	video.WriteString("ftyp3gp4\x00\x00\x02\x003gp4")
	video.Write(make([]byte, 40))

	out := reply("Foto dan formulir terlampir")
	photo, form, clip, voice := store(img.Bytes()), store(doc.Bytes()), store(video.Bytes()), store([]byte("#!AMR\n\x3c\x48\x77"))
	photo.Filename, form.Filename, clip.Filename, voice.Filename = "bukti.png", "formulir.docx", "panduan.3gp", "pesan.amr"
	out.Attachments = []envelope.Attachment{photo, form, clip, voice}
	if _, err := a.Deliver(ctx, out); err != nil {
		t.Fatal(err)
	}
	up := g.uploadedMedia()
	if len(up) != 4 || !bytes.Equal(up[0].Data, img.Bytes()) || up[0].Type != "image/png" || up[0].Filename != "bukti.png" ||
		!bytes.Equal(up[1].Data, doc.Bytes()) || up[1].Type != attachment.MIMEDocx || up[2].Type != "video/3gp" || up[3].Type != "audio/amr" {
		t.Fatalf("uploads = %+v", up)
	}
	sent := g.sentMessages()
	if len(sent) != 4 {
		t.Fatalf("%d messages sent, want 4", len(sent))
	}
	image, _ := sent[0].Body["image"].(map[string]any)
	document, _ := sent[1].Body["document"].(map[string]any)
	video3gp, _ := sent[2].Body["video"].(map[string]any)
	audio, _ := sent[3].Body["audio"].(map[string]any)
	if image["id"] != up[0].ID || image["caption"] != "Foto dan formulir terlampir" {
		t.Fatalf("image sent as %s", sent[0].Raw)
	}
	if document["id"] != up[1].ID || document["filename"] != "formulir.docx" || document["caption"] != nil {
		t.Fatalf("document sent as %s", sent[1].Raw)
	}
	if video3gp["id"] != up[2].ID || audio["id"] != up[3].ID || audio["caption"] != nil {
		t.Fatalf("video and audio sent as %s / %s", sent[2].Raw, sent[3].Raw)
	}
}
