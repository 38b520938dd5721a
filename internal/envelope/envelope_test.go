package envelope

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"tanggap/internal/domain"
)

func validInbound() Inbound {
	return Inbound{
		V: Version, Channel: domain.ChannelWebform, ProviderMessageID: "form-1234",
		Sender: Sender{Name: "Siti", Phone: "+6281234567890"}, Text: "Insentif belum cair",
		Fields: map[string]string{FieldKind: "complaint", FieldCategory: "insentif"}, ReceivedAt: time.Now().UTC(),
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(in *Inbound)
		want string // substring of the error; "" = valid
	}{
		{"a complete web form message is valid", func(in *Inbound) {}, ""},
		{"attachments without text are valid", func(in *Inbound) {
			in.Text = ""
			in.Attachments = []Attachment{{Key: "2026/11/ab.jpg", MIME: "image/jpeg", Size: 10}}
		}, ""},
		{"a WhatsApp id alone identifies the sender", func(in *Inbound) { in.Sender = Sender{WaID: "+6281234567890"} }, ""},
		{"unknown version is refused", func(in *Inbound) { in.V = 2 }, "version 2"},
		{"unknown channel is refused", func(in *Inbound) { in.Channel = "fax" }, "unknown channel"},
		{"missing provider id", func(in *Inbound) { in.ProviderMessageID = "" }, "provider_message_id is empty"},
		{"overlong provider id", func(in *Inbound) { in.ProviderMessageID = strings.Repeat("x", 300) }, "provider_message_id too long"},
		{"sender without identity", func(in *Inbound) { in.Sender = Sender{Name: "Siti"} }, "no identity"},
		{"neither text nor attachment", func(in *Inbound) { in.Text = "" }, "neither text nor attachments"},
		{"text over the limit", func(in *Inbound) { in.Text = strings.Repeat("a", MaxTextBytes+1) }, "text too long"},
		{"invalid UTF-8", func(in *Inbound) { in.Text = "\xff\xfe" }, "UTF-8"},
		{"incomplete attachment", func(in *Inbound) { in.Attachments = []Attachment{{Key: "k"}} }, "attachment 0 incomplete"},
		{"missing received_at", func(in *Inbound) { in.ReceivedAt = time.Time{} }, "received_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validInbound()
			tc.edit(&in)
			err := in.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalid mentioning %q", err, tc.want)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	err := (&Inbound{V: 9, Channel: "x"}).Validate()
	for _, want := range []string{"version", "channel", "provider_message_id", "identity", "text", "received_at"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q missing from %v", want, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	in := validInbound()
	in.Trace = map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeInbound(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ProviderMessageID != in.ProviderMessageID || got.Sender != in.Sender || !got.ReceivedAt.Equal(in.ReceivedAt) ||
		got.Fields[FieldCategory] != "insentif" || got.Trace["traceparent"] == "" {
		t.Fatalf("round trip changed the envelope: %+v", got)
	}
	if !strings.Contains(string(data), `"v":1`) {
		t.Fatalf("version not on the wire: %s", data)
	}
}

func TestDecodeOutboundAndReceipt(t *testing.T) {
	if _, err := DecodeOutbound([]byte(`{"v":1,"channel":"webform","message_id":3,"id":"agent-1"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{`, `{"v":1,"channel":"webform"}`, `{"v":2,"channel":"webform","message_id":3,"id":"a"}`, `{"v":1,"channel":"webform","message_id":3}`} {
		if _, err := DecodeOutbound([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("outbound %s: %v", bad, err)
		}
	}
	if _, err := DecodeReceipt([]byte(`{"v":1,"channel":"webform","message_id":3,"status":"read"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`[]`, `{"v":1,"message_id":3,"status":"queued"}`, `{"v":1,"message_id":0,"status":"sent"}`} {
		if _, err := DecodeReceipt([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("receipt %s: %v", bad, err)
		}
	}
}

// FuzzDecodeInbound: whatever arrives on the bus, decoding never panics and
// anything accepted satisfies the envelope's invariants.
func FuzzDecodeInbound(f *testing.F) {
	good, _ := json.Marshal(validInbound())
	f.Add(good)
	f.Add([]byte(`{"v":1,"channel":"whatsapp","provider_message_id":"wamid.X","sender":{"wa_id":"+62812"},"text":"a","received_at":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeInbound(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if in.V != Version || !in.Channel.Known() || in.ProviderMessageID == "" || !in.Sender.HasIdentity() ||
			(in.Text == "" && len(in.Attachments) == 0) || in.ReceivedAt.IsZero() || len(in.Text) > MaxTextBytes {
			t.Fatalf("accepted an invalid envelope: %+v", in)
		}
	})
}
