package consolews

import (
	"encoding/json"

	"tanggap/internal/domain"
	"tanggap/internal/permission"
)

// Frames of the push protocol (README, "The agents' push socket").

// clientFrame is any frame a console sends: view, typing or ping.
type clientFrame struct {
	Type     string `json:"type"`
	TicketID int64  `json:"ticket_id"`
	On       bool   `json:"on"`
}

type helloFrame struct {
	Type    string      `json:"type"`
	V       int         `json:"v"`
	AgentID int64       `json:"agent_id"`
	Role    domain.Role `json:"role"`
	// Permissions are the agent's rights as of this hello: a hello
	// again means they changed (role.updated).
	Permissions      []permission.P `json:"permissions"`
	HeartbeatSeconds int            `json:"heartbeat_seconds"`
}

// mark is one console user viewing (or typing on) a ticket.
type mark struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
	Typing  bool   `json:"typing"`
}

type viewersFrame struct {
	Type     string `json:"type"`
	TicketID int64  `json:"ticket_id"`
	Viewers  []mark `json:"viewers"`
}

var (
	framePong = []byte(`{"type":"pong"}`)
	frameBye  = []byte(`{"type":"bye","reason":"session_ended"}`)
)

// eventFrame wraps an event's payload, unchanged:
// {"type":"event","event":"<entity>.<action>","data":<payload>}.
func eventFrame(name string, data []byte) []byte {
	quoted, _ := json.Marshal(name)
	b := make([]byte, 0, len(data)+len(quoted)+34)
	b = append(b, `{"type":"event","event":`...)
	b = append(b, quoted...)
	b = append(b, `,"data":`...)
	b = append(b, data...)
	return append(b, '}')
}
