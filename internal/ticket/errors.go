package ticket

import (
	"errors"
	"fmt"
	"net/http"

	"tanggap/internal/apperr"
)

// Errors of the ticket service.
var (
	ErrNotFound            = errors.New("ticket: not found")
	ErrForbidden           = errors.New("ticket: not visible to this agent")
	ErrClosed              = errors.New("ticket: closed")
	ErrInvalidStatusChange = errors.New("ticket: invalid status change")
	ErrMessageNotFound     = errors.New("ticket: message not found")
	// ErrWindowClosed: the channel takes no free text this long after the
	// citizen's last message; an approved template is needed.
	ErrWindowClosed = errors.New("ticket: reply window closed, a template is needed")
	// ErrReplyCollision: another agent replied to the citizen after the
	// last message the replying agent had read (Draft.Seen); see Collision.
	ErrReplyCollision = errors.New("ticket: another agent replied meanwhile")
	// ErrChannelOff: the ticket's channel is not running in this
	// installation (WhatsApp without its settings), so nothing could
	// deliver a reply to the citizen; see ChannelOff.
	ErrChannelOff = errors.New("ticket: channel not running in this installation")
)

// ChannelOff is ErrChannelOff for a ticket of channel: the public code
// channel_off and a message (ChannelOffKey) that names the channel and
// what the agent can do instead.
func ChannelOff(channel string) error {
	return &apperr.Explained{Status: http.StatusConflict, Code: apperr.CodeChannelOff,
		Key: ChannelOffKey(channel), Err: fmt.Errorf("%w: %s", ErrChannelOff, channel)}
}

// ChannelOffKey is the translation key of the refusal of a reply on a
// channel that is off (one per channel; the console says the same above
// the reply box of such a ticket).
func ChannelOffKey(channel string) string { return "channel_off." + channel }

// Collision is ErrReplyCollision naming the agent who replied first, so
// the one refused can read that reply before sending theirs.
type Collision struct{ Agent string }

func (c *Collision) Error() string { return ErrReplyCollision.Error() + ": " + c.Agent }
func (c *Collision) Unwrap() error { return ErrReplyCollision }
