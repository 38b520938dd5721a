package whatsapp_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var testParser = whatsapp.Parser{Queues: map[string]string{"106540352242922": "whatsapp"}}

func TestParseEveryMessageType(t *testing.T) {
	cases := []struct {
		fixture  string
		kind     string
		text     string // substring expected in the text
		fields   map[string]string
		media    string // MIME of an attachment fetched later
		filename string
	}{
		{fixture: "text", kind: "text", text: "kartu prakerja saya belum aktif"},
		{fixture: "text_reply", kind: "text", text: "Ini nomor NIK saya",
			fields: map[string]string{envelope.FieldReplyTo: "wamid.HBgNNjI4MTEwMDAwMTExMRUCABEYEjQ0QjU2RjA2QkI2QzY4ODM3RQA="}},
		{fixture: "image", kind: "image", text: "Foto KTP saya", media: "image/jpeg", filename: "image"},
		{fixture: "audio", kind: "audio", media: "audio/ogg", fields: map[string]string{"voice": "true"}},
		{fixture: "video", kind: "video", text: "Video layar error", media: "video/mp4"},
		{fixture: "document", kind: "document", text: "Surat keterangan", media: "application/pdf", filename: "surat-keterangan.pdf"},
		{fixture: "sticker", kind: "sticker", media: "image/webp"},
		{fixture: "location", kind: "location", text: "Kantor Kelurahan Menteng",
			fields: map[string]string{"latitude": "-6.2087634", "longitude": "106.845599"}},
		{fixture: "contacts", kind: "contacts", text: "Budi Santoso: +62 812-3456-7891, budi@example.id"},
		{fixture: "interactive_button_reply", kind: "interactive", text: "Cek status",
			fields: map[string]string{envelope.FieldButtonPayload: "status-cek", envelope.FieldReplyTo: "wamid.sent-buttons", "interactive_type": "button_reply"}},
		{fixture: "interactive_list_reply", kind: "interactive", text: "Insentif\nDana insentif belum cair",
			fields: map[string]string{envelope.FieldButtonPayload: "topik-insentif"}},
		{fixture: "button", kind: "button", text: "Ya", fields: map[string]string{envelope.FieldButtonPayload: "Ya, masih perlu bantuan"}},
		{fixture: "reaction", kind: "reaction", text: "👍", fields: map[string]string{envelope.FieldReplyTo: "wamid.sent-reply"}},
		{fixture: "reaction_removed", kind: "reaction", text: "[reaction]"},
		{fixture: "order", kind: "order", text: "modul-01 × 2 @ 150000 IDR", fields: map[string]string{"catalog_id": "545484931040001"}},
		{fixture: "system", kind: "system", text: "changed from", fields: map[string]string{"system_type": "user_changed_number"}},
		{fixture: "unsupported", kind: "unsupported", text: "[unsupported]", fields: map[string]string{"error": "WhatsApp error 131051: Message type unknown (Message type is currently not supported.)"}},
		{fixture: "unknown", kind: "unsupported", text: "[unsupported]", fields: map[string]string{"error": "WhatsApp error 131051: Unsupported message type"}},
		{fixture: "future_type", kind: "unsupported", text: "[unsupported]", fields: map[string]string{"original_type": "hologram"}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+" becomes one envelope", func(t *testing.T) {
			b, err := testParser.Parse(fixture(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Messages) != 1 || len(b.Statuses) != 0 {
				t.Fatalf("%d messages, %d statuses; want 1, 0", len(b.Messages), len(b.Statuses))
			}
			in := b.Messages[0]
			if err := in.Validate(); err != nil {
				t.Fatal(err)
			}
			if in.Channel != domain.ChannelWhatsApp || !strings.HasPrefix(in.ProviderMessageID, "wamid.") {
				t.Fatalf("channel %q id %q", in.Channel, in.ProviderMessageID)
			}
			if in.Sender.WaID != "+6281234567890" || in.Sender.Phone != "+6281234567890" || in.Sender.Name != "Siti Rahayu" {
				t.Fatalf("sender %+v", in.Sender)
			}
			if !in.ReceivedAt.Equal(time.Unix(1739321024, 0)) {
				t.Fatalf("received at %v, want the provider timestamp", in.ReceivedAt)
			}
			if in.Fields[envelope.FieldKind] != tc.kind || in.Fields[envelope.FieldVia] != "106540352242922" || in.Fields[envelope.FieldQueue] != "whatsapp" {
				t.Fatalf("fields %v", in.Fields)
			}
			for k, v := range tc.fields {
				if in.Fields[k] != v {
					t.Errorf("field %s = %q, want %q", k, in.Fields[k], v)
				}
			}
			if !strings.Contains(in.Text, tc.text) {
				t.Errorf("text %q does not contain %q", in.Text, tc.text)
			}
			if tc.media == "" {
				if len(in.Attachments) != 0 || len(b.Media) != 0 {
					t.Fatalf("unexpected attachments %v / jobs %v", in.Attachments, b.Media)
				}
				return
			}
			if len(in.Attachments) != 1 || len(b.Media) != 1 {
				t.Fatalf("attachments %v, jobs %v", in.Attachments, b.Media)
			}
			a, j := in.Attachments[0], b.Media[0]
			if !a.Unavailable || a.MIME != tc.media || a.Key != j.Key || j.WAMID != in.ProviderMessageID || j.MediaID == "" {
				t.Fatalf("attachment %+v, job %+v", a, j)
			}
			if tc.filename != "" && a.Filename != tc.filename {
				t.Fatalf("filename %q, want %q", a.Filename, tc.filename)
			}
		})
	}
}

func TestParseStatuses(t *testing.T) {
	cases := []struct {
		fixture string
		status  domain.DeliveryStatus
		errText string
	}{
		{"status_sent", domain.DeliverySent, ""},
		{"status_delivered", domain.DeliveryDelivered, ""},
		{"status_read", domain.DeliveryRead, ""},
		{"status_failed", domain.DeliveryFailed, "WhatsApp error 131047: Re-engagement message (Message failed to send because more than 24 hours"},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			b, err := testParser.Parse(fixture(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Statuses) != 1 || len(b.Messages) != 0 {
				t.Fatalf("statuses %v messages %d", b.Statuses, len(b.Messages))
			}
			s := b.Statuses[0]
			if s.Status != tc.status || !strings.HasPrefix(s.WAMID, "wamid.") || s.At.IsZero() || !strings.HasPrefix(s.Error, tc.errText) {
				t.Fatalf("status %+v", s)
			}
		})
	}
}

func TestParseSeveralEntriesChangesMessagesAndStatuses(t *testing.T) {
	b, err := testParser.Parse(fixture(t, "multi"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 3 || len(b.Statuses) != 1 || len(b.Media) != 1 {
		t.Fatalf("messages %d statuses %d media %d; want 3, 1, 1", len(b.Messages), len(b.Statuses), len(b.Media))
	}
	if b.Messages[1].Sender.Name != "Agus" || b.Messages[1].Sender.WaID != "+6285712345678" {
		t.Fatalf("second sender %+v", b.Messages[1].Sender)
	}
	third := b.Messages[2]
	if third.Fields[envelope.FieldVia] != "106540352242933" || third.Fields[envelope.FieldQueue] != "" {
		t.Fatalf("a number without a queue asks for none: %v", third.Fields)
	}
}

func TestParseSkipsWhatIsNotAMessage(t *testing.T) {
	for _, name := range []string{"template_status_update", "value_errors"} {
		t.Run(name, func(t *testing.T) {
			b, err := testParser.Parse(fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Messages)+len(b.Statuses)+len(b.Media) != 0 {
				t.Fatalf("stored something from %s: %+v", name, b)
			}
			if name == "value_errors" && (len(b.Problems) != 1 || !strings.Contains(b.Problems[0], "130429")) {
				t.Fatalf("problems %v", b.Problems)
			}
		})
	}
}

func TestParseRefusesWhatIsNotAWhatsAppWebhook(t *testing.T) {
	cases := map[string]string{
		"wrong object":          string(fixture(t, "wrong_object")),
		"malformed JSON":        `{"object": "whatsapp_business_account", "entry": [`,
		"not an object":         `[1, 2, 3]`,
		"trailing data":         `{"object":"whatsapp_business_account"} {}`,
		"entry that is no list": `{"object":"whatsapp_business_account","entry":{}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := testParser.Parse([]byte(body)); !errors.Is(err, whatsapp.ErrPayload) {
				t.Fatalf("err %v, want ErrPayload", err)
			}
		})
	}
}

// TestParseRefusesBadItemsAndKeepsTheRest: one message or status that
// cannot be read is refused on its own; the others of the same body are
// kept.
func TestParseRefusesBadItemsAndKeepsTheRest(t *testing.T) {
	good1 := `{"from":"6281234567890","id":"wamid.g1","timestamp":"1739321024","type":"text","text":{"body":"satu"}}`
	good2 := `{"from":"6281234567891","id":"wamid.g2","timestamp":"1739321025","type":"text","text":{"body":"dua"}}`
	goodStatus := `{"id":"wamid.s1","status":"read","timestamp":"1739321024"}`
	cases := []struct {
		name, bad, item, id string
		cause, sender       string
	}{
		{"sender that is no number", `{"from":"abc","id":"wamid.b1","type":"text","text":{"body":"x"}}`, "message", "wamid.b1", envelope.CauseSender, ""},
		{"sender of the wrong type", `{"from":6281234567890,"id":"wamid.b2","type":"text","text":{"body":"x"}}`, "message", "wamid.b2", envelope.CauseUnreadable, ""},
		{"message without id", `{"from":"6281234567890","type":"text","text":{"body":"x"}}`, "message", "", envelope.CauseMissing, "+6281234567890"},
		{"text of the wrong type", `{"from":"6281234567890","id":"wamid.b3","timestamp":"1739321024","type":"text","text":{"body":12345}}`, "message", "wamid.b3", envelope.CauseUnreadable, "+6281234567890"},
		{"message that is no object", `"wamid.b4"`, "message", "", envelope.CauseUnreadable, ""},
		{"status without id", `{"status":"read","recipient_id":"6281234567892"}`, "status", "", envelope.CauseMissing, "+6281234567892"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msgs, statuses := good1+","+tc.bad+","+good2, goodStatus
			if tc.item == "status" {
				msgs, statuses = good1+","+good2, goodStatus+","+tc.bad
			}
			body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[` +
				msgs + `],"statuses":[` + statuses + `]}}]}]}`
			b, err := testParser.Parse([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Messages) != 2 || b.Messages[0].ProviderMessageID != "wamid.g1" || b.Messages[1].ProviderMessageID != "wamid.g2" {
				t.Fatalf("kept messages %+v, want wamid.g1 and wamid.g2", b.Messages)
			}
			if len(b.Statuses) != 1 || b.Statuses[0].WAMID != "wamid.s1" {
				t.Fatalf("kept statuses %+v", b.Statuses)
			}
			if len(b.Refused) != 1 {
				t.Fatalf("refused %+v, want one", b.Refused)
			}
			r := b.Refused[0]
			if r.Item != tc.item || r.ID != tc.id || r.Reason == "" || string(r.Raw) != tc.bad {
				t.Fatalf("refused %+v, want %s %q with a reason and the item as sent", r, tc.item, tc.id)
			}
			if r.Cause != tc.cause || r.Sender != tc.sender {
				t.Fatalf("refused for %q from %q, want %q from %q", r.Cause, r.Sender, tc.cause, tc.sender)
			}
			if !json.Valid(r.Raw) {
				t.Fatalf("record is not JSON: %s", r.Raw)
			}
		})
	}
}

// TestParseKeepsAMessageWithAnUnreadableTime: a timestamp that is no
// number (or of the wrong type) does not cost the citizen their message:
// the time it was received stands in.
func TestParseKeepsAMessageWithAnUnreadableTime(t *testing.T) {
	for _, ts := range []string{`"kemarin"`, `{"s":1}`, `true`} {
		body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"6281234567890","id":"wamid.t","timestamp":` + ts + `,"type":"text","text":{"body":"halo"}}],
			"statuses":[{"id":"wamid.s","status":"read","timestamp":` + ts + `}]}}]}]}`
		b, err := testParser.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Refused) != 0 || len(b.Messages) != 1 || b.Messages[0].Text != "halo" || b.Messages[0].ReceivedAt.IsZero() || len(b.Statuses) != 1 {
			t.Fatalf("timestamp %s: kept %+v, statuses %+v, refused %+v", ts, b.Messages, b.Statuses, b.Refused)
		}
	}
}

func TestParseKeepsSendersOurNumberingRulesDoNotKnow(t *testing.T) {
	// Digits WhatsApp vouches for, though not a valid Indonesian mobile
	// number by our rules: the message is kept.
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"621234","id":"wamid.odd","timestamp":"1739321024","type":"text","text":{"body":"x"}}]}}]}]}`
	b, err := testParser.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if b.Messages[0].Sender.WaID != "+621234" {
		t.Fatalf("sender %+v", b.Messages[0].Sender)
	}
}

func TestParseClipsOversizedValues(t *testing.T) {
	long := strings.Repeat("é", 40000) // 80 KB of text, over the envelope limit
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"from":"6281234567890","id":"wamid.big","timestamp":"1739321024","type":"text","text":{"body":"` + long + `"},"context":{"id":"` + strings.Repeat("x", 5000) + `"}}]}}]}]}`
	b, err := testParser.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Messages[0].Validate(); err != nil {
		t.Fatal(err)
	}
}

// FuzzParse: whatever the body, Parse returns an error or envelopes that
// validate, never panics.
func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			f.Add(fixture(f, strings.TrimSuffix(e.Name(), ".json")))
		}
	}
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"6281234567890","id":"wamid.1","timestamp":"-5","type":"image","image":{"id":"1"}}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"6281234567890","id":"wamid.1","timestamp":"999999999999999","type":"text","text":{"body":"x"}}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"6281234567890","id":"wamid.1","type":"text","text":{"body":"x"}},{"from":"abc","id":"wamid.2"},{"from":1,"id":2},"x"],"statuses":[{"status":"read"},{"id":"wamid.1","status":"read"}]}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := testParser.Parse(body)
		if err != nil {
			if !errors.Is(err, whatsapp.ErrPayload) {
				t.Fatalf("error %v does not wrap ErrPayload", err)
			}
			return
		}
		for _, in := range b.Messages {
			if err := in.Validate(); err != nil {
				t.Fatalf("invalid envelope from a parsed payload: %v", err)
			}
			if _, err := json.Marshal(in); err != nil {
				t.Fatalf("envelope cannot go on the bus: %v", err)
			}
		}
		for _, s := range b.Statuses {
			if s.WAMID == "" || s.Status.Rank() < domain.DeliverySent.Rank() {
				t.Fatalf("bad status job %+v", s)
			}
		}
		for _, r := range b.Refused {
			if r.Reason == "" || (r.Item != "message" && r.Item != "status") {
				t.Fatalf("refused item without a reason: %+v", r)
			}
			data, err := json.Marshal(whatsapp.Record(r, whatsapp.RefusedMsgID(r), time.Now()))
			if err != nil {
				t.Fatalf("refused record cannot go on the bus: %v", err)
			}
			if _, ok, err := envelope.DecodeRefused(data); !ok || err != nil {
				t.Fatalf("refused record not read back (%v, %v): %s", ok, err, data)
			}
			if len(r.Raw) > envelope.MaxRefusedRaw {
				t.Fatalf("refused record of %d bytes", len(r.Raw))
			}
		}
	})
}

func TestParseOrderWithNumbersAsStrings(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"6281234567890","id":"wamid.o2","timestamp":"1739321024","type":"order",
		"order":{"catalog_id":"1","text":"","product_items":[{"product_retailer_id":"modul-02","quantity":"3","item_price":"99.5","currency":"IDR"}]}}]}}]}]}`
	b, err := testParser.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Messages[0].Text; got != "modul-02 × 3 @ 99.5 IDR" {
		t.Fatalf("text %q", got)
	}
}
