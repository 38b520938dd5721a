package api

import (
	"context"
	"regexp"
	"strconv"

	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// System notes (a transfer, a release to the queue) are stored as what
// happened, by ids (routing.NoteKindField and friends), with the agent's
// own words as the body. The API tells them in the viewer's language with
// today's names: "Dialihkan dari Budi ke Sari: <note>". The console shows
// the body as it comes.

// legacyNotes reads notes written before they were structured
// ("transfer: agent 2 -> agent 3\n<note>").
var (
	legacyToAgent = regexp.MustCompile(`^transfer: agent (\d+) -> agent (\d+)(?:\n([\s\S]*))?$`)
	legacyToQueue = regexp.MustCompile(`^transfer: agent (\d+) -> queue (\S+)(?:\n([\s\S]*))?$`)
	legacyRelease = regexp.MustCompile(`^release: agent (\d+) -> queue(?:\n([\s\S]*))?$`)
)

// noteFacts is a system note as ids and the agent's words.
type noteFacts struct {
	kind      string
	from, to  int64
	queueID   int64
	queueCode string
	note      string
}

func factsOf(m ticket.Message) (noteFacts, bool) {
	if m.Direction != domain.DirectionNote {
		return noteFacts{}, false
	}
	id := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
	kind := m.Fields[routing.NoteKindField]
	if kind == ticket.NoteKindAgent {
		return noteFacts{}, false // an agent's own note: shown as written
	}
	if kind != "" {
		return noteFacts{kind: kind, from: id(m.Fields[routing.NoteFromAgent]), to: id(m.Fields[routing.NoteToAgent]),
			queueID: id(m.Fields[routing.NoteToQueue]), queueCode: m.Fields[routing.NoteToQueueCode], note: m.Body}, true
	}
	if g := legacyToAgent.FindStringSubmatch(m.Body); g != nil {
		return noteFacts{kind: routing.NoteKindTransfer, from: id(g[1]), to: id(g[2]), note: g[3]}, true
	}
	if g := legacyToQueue.FindStringSubmatch(m.Body); g != nil {
		return noteFacts{kind: routing.NoteKindTransfer, from: id(g[1]), queueCode: g[2], note: g[3]}, true
	}
	if g := legacyRelease.FindStringSubmatch(m.Body); g != nil {
		return noteFacts{kind: routing.NoteKindRelease, from: id(g[1]), note: g[2]}, true
	}
	return noteFacts{}, false
}

// renderNotes rewrites the body of each system note in msgs in lang.
func (s *Server) renderNotes(ctx context.Context, lang string, msgs []ticket.Message) {
	names := map[int64]string{}
	agentName := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := s.o.Locale.T(lang, "transfer.unknown_agent", "id", id)
		if a, err := s.o.Agents.Get(ctx, id); err == nil && a.Name != "" {
			n = a.Name
		}
		names[id] = n
		return n
	}
	var byID map[int64]string
	var byCode map[string]string
	queueName := func(f noteFacts) string {
		if byID == nil {
			byID, byCode = map[int64]string{}, map[string]string{}
			if s.o.Queues != nil {
				list, err := s.o.Queues.QueueNames(ctx)
				if err != nil {
					s.o.Log.Warn("queue names for notes", "err", err)
				}
				for _, q := range list {
					byID[q.ID], byCode[q.Code] = q.Name, q.Name
				}
			}
		}
		if n, ok := byID[f.queueID]; ok {
			return n
		}
		if n, ok := byCode[f.queueCode]; ok {
			return n
		}
		return f.queueCode // an archived queue: its code
	}
	for i := range msgs {
		f, ok := factsOf(msgs[i])
		if !ok {
			continue
		}
		var text string
		switch {
		case f.kind == routing.NoteKindRelease && f.from != 0:
			text = s.o.Locale.T(lang, "transfer.release", "from", agentName(f.from))
		case f.kind == routing.NoteKindRelease:
			text = s.o.Locale.T(lang, "transfer.release_unassigned")
		case f.to != 0 && f.from != 0:
			text = s.o.Locale.T(lang, "transfer.to_agent", "from", agentName(f.from), "to", agentName(f.to))
		case f.to != 0:
			text = s.o.Locale.T(lang, "transfer.to_agent_unassigned", "to", agentName(f.to))
		case f.from != 0:
			text = s.o.Locale.T(lang, "transfer.to_queue", "from", agentName(f.from), "queue", queueName(f))
		default:
			text = s.o.Locale.T(lang, "transfer.to_queue_unassigned", "queue", queueName(f))
		}
		if f.note != "" {
			text = s.o.Locale.T(lang, "transfer.with_note", "text", text, "note", f.note)
		}
		msgs[i].Body = text
	}
}
