package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// ErrPayload is wrapped by every reason a webhook body cannot be read.
var ErrPayload = errors.New("whatsapp: bad webhook payload")

// objectWABA is the only webhook object this channel subscribes to.
const objectWABA = "whatsapp_business_account"

// The webhook body, as Meta documents it (Cloud API "messages" webhook):
// entries hold changes, a change's value holds the business number
// (metadata), the senders' profiles (contacts), citizen messages and
// statuses of our messages, or errors.
type webhook struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

type entry struct {
	ID      string   `json:"id"`
	Changes []change `json:"changes"`
}

type change struct {
	Field string `json:"field"`
	Value value  `json:"value"`
}

type value struct {
	MessagingProduct string    `json:"messaging_product"`
	Metadata         metadata  `json:"metadata"`
	Contacts         []profile `json:"contacts"`
	// Messages and statuses are read one by one, so one that cannot be
	// read is refused on its own and the others are kept.
	Messages []json.RawMessage `json:"messages"`
	Statuses []json.RawMessage `json:"statuses"`
	Errors   []apiErr          `json:"errors"`
}

type metadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type profile struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

// apiErr is Meta's error object, in webhooks and in Graph API answers.
type apiErr struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

// describe renders an error for an agent: code, title, details.
func (e apiErr) describe() string {
	title := e.Title
	if title == "" {
		title = e.Message
	}
	s := fmt.Sprintf("WhatsApp error %d: %s", e.Code, title)
	if e.ErrorData.Details != "" && e.ErrorData.Details != title {
		s += " (" + e.ErrorData.Details + ")"
	}
	return s
}

type message struct {
	From      string    `json:"from"`
	ID        string    `json:"id"`
	Timestamp unixStamp `json:"timestamp"` // seconds since the epoch, as a string
	Type      string    `json:"type"`
	Context   *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *media `json:"image"`
	Audio    *media `json:"audio"`
	Video    *media `json:"video"`
	Document *media `json:"document"`
	Sticker  *media `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
		URL       string  `json:"url"`
	} `json:"location"`
	Contacts    []sharedContact `json:"contacts"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
		NFMReply *struct {
			Name         string `json:"name"`
			Body         string `json:"body"`
			ResponseJSON string `json:"response_json"`
		} `json:"nfm_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Order *struct {
		CatalogID    string `json:"catalog_id"`
		Text         string `json:"text"`
		ProductItems []struct {
			ProductRetailerID string  `json:"product_retailer_id"`
			Quantity          flexInt `json:"quantity"`
			ItemPrice         flexNum `json:"item_price"`
			Currency          string  `json:"currency"`
		} `json:"product_items"`
	} `json:"order"`
	System *struct {
		Body     string `json:"body"`
		Type     string `json:"type"`
		WaID     string `json:"wa_id"`
		NewWaID  string `json:"new_wa_id"`
		Identity string `json:"identity"`
		Customer string `json:"customer"`
	} `json:"system"`
	Referral *struct {
		SourceURL string `json:"source_url"`
		Headline  string `json:"headline"`
	} `json:"referral"`
	Errors []apiErr `json:"errors"`
}

type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
	Animated bool   `json:"animated"`
}

type sharedContact struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
	} `json:"name"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id"`
		Type  string `json:"type"`
	} `json:"phones"`
	Emails []struct {
		Email string `json:"email"`
	} `json:"emails"`
}

type status struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Timestamp   unixStamp `json:"timestamp"`
	RecipientID string    `json:"recipient_id"`
	Errors      []apiErr  `json:"errors"`
	// BizOpaqueCallbackData echoes what the sender put on the message
	// (internal/notify marks its templates with bus.NotifyRefPrefix).
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data"`
}

// flexInt reads a number Meta sends either as a JSON number or a string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*f = flexInt(n)
	return nil
}

// flexNum keeps a number Meta sends either as a JSON number or a string,
// as written.
type flexNum string

func (f *flexNum) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		s = ""
	}
	if s != "" {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("not a number: %s", b)
		}
	}
	*f = flexNum(s)
	return nil
}

// unixStamp is Meta's time of a message or status. One that cannot be
// read is empty, never an error: the time we received it stands in
// (Parser.unixTime), and the citizen's message still reaches an agent.
type unixStamp string

func (u *unixStamp) UnmarshalJSON(b []byte) error {
	var f flexNum
	if f.UnmarshalJSON(b) != nil {
		f = ""
	}
	*u = unixStamp(f)
	return nil
}

// Batch is everything one webhook POST asks of us.
type Batch struct {
	Messages []envelope.Inbound
	Media    []MediaJob
	Statuses []StatusJob
	// Problems are errors Meta reported about the account or app (the
	// value-level "errors"); they are logged, nothing is stored.
	Problems []string
	// Refused are messages and statuses that cannot be made into a valid
	// envelope or job (no id, a sender that is no number, a field of the
	// wrong type). The rest of the POST is kept; these are recorded as
	// problems.
	Refused []Refused
}

// Refused is one item of a webhook that was not accepted.
type Refused struct {
	// ID is the item's wamid when it has one ("" otherwise).
	ID string `json:"id,omitempty"`
	// Item is "message" or "status".
	Item string `json:"item"`
	// Sender is the citizen's number (E.164) when it could be read.
	Sender string `json:"sender,omitempty"`
	// Cause is why in one word (envelope.Cause*); Reason says why in the
	// parser's words, without the item's content.
	Cause  string `json:"cause"`
	Reason string `json:"reason"`
	// Raw is the item as Meta sent it, kept for whoever looks into it.
	Raw json.RawMessage `json:"raw"`
}

// MediaJob fetches one inbound media file after the message is stored.
type MediaJob struct {
	MediaID string `json:"media_id"`
	// Key is the placeholder storage key the message's attachment carries
	// until the file is in the store.
	Key      string `json:"key"`
	MIME     string `json:"mime"`
	SHA256   string `json:"sha256,omitempty"`
	WAMID    string `json:"wamid"`
	Filename string `json:"filename,omitempty"`
}

// StatusJob is one status update of a message we sent.
type StatusJob struct {
	WAMID  string                `json:"wamid"`
	Status domain.DeliveryStatus `json:"status"`
	At     time.Time             `json:"at"`
	Error  string                `json:"error,omitempty"`
	// Ref is the message's biz_opaque_callback_data.
	Ref string `json:"ref,omitempty"`
}

// placeholderPrefix marks an attachment key that names a WhatsApp media id,
// not a stored file; the attachment store refuses it, so an agent opening
// an attachment not fetched yet gets "not found".
const placeholderPrefix = "whatsapp-media:"
