package ticket_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/apperr"
	"tanggap/internal/attachment"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// withFiles is the fixture's ticket service with an attachment store.
func (f *fixture) withFiles(t *testing.T) (*ticket.Service, string) {
	t.Helper()
	dir := t.TempDir()
	files, err := attachment.NewLocal(dir)
	must(t, err)
	log := testenv.Logger(t)
	return ticket.New(ticket.Opts{DB: f.db, Bus: f.bus, Loads: f.router,
		Clocks: routing.NewClocks(routing.PartOpts{DB: f.db, Queues: f.settings, Log: log}), Log: log, Attachments: files}), dir
}

var pdfBytes = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")

func docxBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml"} {
		w, err := z.Create(n)
		must(t, err)
		w.Write([]byte("<x/>"))
	}
	must(t, z.Close())
	return buf.Bytes()
}

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	must(t, png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))))
	return buf.Bytes()
}

func upload(name string, data []byte) ticket.Upload {
	return ticket.Upload{Name: name, Size: int64(len(data)), Data: bytes.NewReader(data)}
}

// documents is a channel taking pictures and documents up to 1 KiB, two
// files per reply.
var documents = ticket.FileRules{MaxFiles: 2, Types: map[string]int64{
	"image/png": 1 << 10, "application/pdf": 1 << 10, attachment.MIMEDocx: 1 << 10}}

// storedFiles counts the files under the store's folder.
func storedFiles(t *testing.T, dir string) int {
	n := 0
	must(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n++
		}
		return err
	}))
	return n
}

func TestReplyWithFilesIsStoredAndPublishedWithThem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc, dir := f.withFiles(t)
	id, _ := f.seedTicket(t, domain.StatusNew, nil)
	doc := docxBytes(t)

	msg, err := svc.ReplyWithFiles(ctx, f.agent, id, ticket.Draft{}, documents,
		[]ticket.Upload{upload("../../Surat Keterangan.pdf", pdfBytes), upload("formulir.docx", doc)})
	must(t, err)
	if len(msg.Attachments) != 2 || msg.Body != "" || msg.DeliveryStatus != domain.DeliveryQueued {
		t.Fatalf("reply = %+v", msg)
	}
	if a := msg.Attachments[0]; a.Filename != "Surat Keterangan.pdf" || a.MIME != "application/pdf" || a.Size != int64(len(pdfBytes)) || a.ID == 0 {
		t.Fatalf("first file = %+v", a)
	}
	if a := msg.Attachments[1]; a.MIME != attachment.MIMEDocx {
		t.Fatalf("a .docx read as %q", a.MIME)
	}
	d, err := svc.Get(ctx, f.agent, id)
	must(t, err)
	out := d.Messages[len(d.Messages)-1]
	if out.Direction != domain.DirectionOut || len(out.Attachments) != 2 || !out.Attachments[0].Available {
		t.Fatalf("thread shows %+v", out)
	}
	if storedFiles(t, dir) != 2 {
		t.Fatalf("%d files stored, want 2", storedFiles(t, dir))
	}

	cons, err := f.bus.JS.CreateOrUpdateConsumer(ctx, f.bus.Names.StreamOutbound(), jetstream.ConsumerConfig{
		Durable: "files-reader", FilterSubject: f.bus.Names.Outbound(domain.ChannelWebform), AckPolicy: jetstream.AckExplicitPolicy})
	must(t, err)
	m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	must(t, err)
	var env envelope.Outbound
	must(t, json.Unmarshal(m.Data(), &env))
	if env.MessageID != msg.ID || len(env.Attachments) != 2 || env.Attachments[0].Key != out.Attachments[0].StorageKey ||
		env.Attachments[0].Filename != "Surat Keterangan.pdf" || env.Attachments[1].MIME != attachment.MIMEDocx {
		t.Fatalf("outbound = %+v", env)
	}
}

func TestReplyFileRefusalsSayWhyAndStoreNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc, dir := f.withFiles(t)
	id, _ := f.seedTicket(t, domain.StatusOpen, nil)
	big := append(append([]byte{}, pdfBytes...), make([]byte, 2<<10)...)
	cases := []struct {
		name    string
		rules   ticket.FileRules
		draft   ticket.Draft
		uploads []ticket.Upload
		key     string
	}{
		{"a channel without files (the phone) refuses any", ticket.FileRules{}, ticket.Draft{Body: "x"},
			[]ticket.Upload{upload("a.pdf", pdfBytes)}, "files.channel_refuses"},
		{"a web page named .pdf is read as HTML and refused", documents, ticket.Draft{Body: "x"},
			[]ticket.Upload{upload("surat.pdf", []byte("<html><script>alert(1)</script></html>"))}, "files.type_refused"},
		{"a file over the channel's limit for its type", documents, ticket.Draft{},
			[]ticket.Upload{upload("besar.pdf", big)}, "files.too_large"},
		{"more files than a reply carries", documents, ticket.Draft{},
			[]ticket.Upload{upload("a.pdf", pdfBytes), upload("b.pdf", pdfBytes), upload("c.png", pngBytes(t))}, "files.too_many"},
		{"an empty file", documents, ticket.Draft{}, []ticket.Upload{upload("kosong.pdf", nil)}, "files.empty"},
		{"a template with a file", documents, ticket.Draft{Template: &ticket.TemplateDraft{Name: "t", Language: "id"}},
			[]ticket.Upload{upload("a.pdf", pdfBytes)}, "files.not_with_template"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.ReplyWithFiles(ctx, f.agent, id, c.draft, c.rules, c.uploads)
			var ve *apperr.ValidationError
			if !errors.As(err, &ve) || ve.Fields["files"].Key != c.key {
				t.Fatalf("got %v, want %s", err, c.key)
			}
		})
	}
	d, err := svc.Get(ctx, f.agent, id)
	must(t, err)
	if len(d.Messages) != 1 || storedFiles(t, dir) != 0 {
		t.Fatalf("refused replies left %d messages, %d files", len(d.Messages), storedFiles(t, dir))
	}
	// The refusal names the file and the types the channel takes.
	_, err = svc.ReplyWithFiles(ctx, f.agent, id, ticket.Draft{}, documents, []ticket.Upload{upload("surat.pdf", []byte("<html></html>"))})
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	args := map[any]any{}
	for i := 0; i+1 < len(ve.Fields["files"].Args); i += 2 {
		args[ve.Fields["files"].Args[i]] = ve.Fields["files"].Args[i+1]
	}
	if args["name"] != "surat.pdf" || args["type"] != "HTML" || args["allowed"] != "DOCX, PDF, PNG" {
		t.Fatalf("refusal arguments %v", args)
	}
	// Someone who may not see the ticket stores nothing either.
	if _, err := svc.ReplyWithFiles(ctx, f.other, id, ticket.Draft{}, documents, []ticket.Upload{upload("a.pdf", pdfBytes)}); !errors.Is(err, ticket.ErrForbidden) {
		t.Fatalf("outsider: %v", err)
	}
	if storedFiles(t, dir) != 0 {
		t.Fatal("an outsider's file was stored")
	}
}

func TestStatusPageServesReplyFilesOnceDelivered(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc, _ := f.withFiles(t)
	id, tn := f.seedTicket(t, domain.StatusOpen, nil)
	phone := f.phoneOf(t, id)
	msg, err := svc.ReplyWithFiles(ctx, f.agent, id, ticket.Draft{Body: "Berikut surat keterangannya"}, documents,
		[]ticket.Upload{upload("surat.pdf", pdfBytes)})
	must(t, err)
	fileID := msg.Attachments[0].ID
	if _, err := svc.PublicAttachment(ctx, tn, phone, fileID); !errors.Is(err, ticket.ErrNotFound) {
		t.Fatalf("file of an undelivered reply: %v", err)
	}
	must(t, svc.ApplyReceipt(ctx, envelope.Receipt{V: 1, Channel: "webform", MessageID: msg.ID, Status: domain.DeliveryPosted}))
	p, err := svc.PublicLookup(ctx, tn, phone)
	must(t, err)
	last := p.Messages[len(p.Messages)-1]
	if last.Direction != domain.DirectionOut || len(last.Files) != 1 || last.Files[0].ID != fileID || last.Files[0].Filename != "surat.pdf" {
		t.Fatalf("public reply = %+v", last)
	}
	a, err := svc.PublicAttachment(ctx, tn, phone, fileID)
	must(t, err)
	if a.MIME != "application/pdf" || a.StorageKey != msg.Attachments[0].StorageKey {
		t.Fatalf("public file = %+v", a)
	}
	other, otherTN := f.seedTicket(t, domain.StatusOpen, nil)
	if _, err := svc.PublicAttachment(ctx, otherTN, f.phoneOf(t, other), fileID); !errors.Is(err, ticket.ErrNotFound) {
		t.Fatalf("file through another ticket: %v", err)
	}
	if _, err := svc.PublicAttachment(ctx, tn, f.phoneOf(t, other), fileID); !errors.Is(err, ticket.ErrNotFound) {
		t.Fatalf("file with another citizen's phone: %v", err)
	}
}

// TestFileStatementsUseIndexes: the status page's file download reads the
// attachment by primary key and its message by an index, and the public
// thread's files come through messages_ticket_idx or
// attachments_message_idx; neither reads a whole table.
func TestFileStatementsUseIndexes(t *testing.T) {
	d := testenv.DB(t)
	for _, c := range []struct {
		q     string
		index []string
	}{
		{`SELECT a.id, a.filename, a.mime, a.size, a.available, a.storage_key
		FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.id = 1 AND m.ticket_id = 2 AND a.available AND (m.direction = 'in'
			OR (m.direction = 'out' AND m.delivery_status IN ` + domain.PublicStatusesSQL + `))`,
			[]string{"attachments_pkey|INTEGER PRIMARY KEY", "messages_pkey|messages_ticket_idx|INTEGER PRIMARY KEY"}},
		{`SELECT a.id, a.message_id, a.filename, a.mime, a.size
		FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.ticket_id = 2 AND m.direction <> 'note' AND a.available ORDER BY a.id`,
			[]string{"messages_ticket_idx|attachments_message_idx"}},
	} {
		plan := testenv.Plan(t, d, c.q)
		for _, line := range strings.Split(plan, "\n") {
			if strings.Contains(line, "Seq Scan") || strings.HasPrefix(strings.TrimSpace(line), "SCAN ") && !strings.Contains(line, "USING") {
				t.Errorf("%s reads a whole table:\n%s", c.q, plan)
			}
		}
		for _, want := range c.index {
			ok := false
			for _, alt := range strings.Split(want, "|") {
				ok = ok || strings.Contains(plan, alt)
			}
			if !ok {
				t.Errorf("%s is not served by %s:\n%s", c.q, want, plan)
			}
		}
	}
}
