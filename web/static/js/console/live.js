// Applies the push socket's events (internal/bus/EVENTS.md) to the store. The
// payload carries what the list and the open ticket show, so most events
// change the store without another read; only a new message on the open
// ticket reads the ticket again, for its body and attachments.
import * as store from './store.js';
import { loadTicket, loadRouting, rereadIfReading, isMoving, can, loadList } from './actions.js';
import { notify } from './notify.js';
import { applyEvent as tagsEvent } from './tags.js';
import { onNotification } from './notes.js';
import { applyEvent as deliveryEvent } from './delivery.js'; // notify
import { applyEvent as csatEvent } from './csat.js';
import { applyEvent as complaintEvent } from './lifecycle.js';
import { checkReach } from './unsent.js';

const TICKET_EVENTS = ['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.unassigned', 'ticket.transferred'];
const ACTIVE = ['new', 'open', 'pending'];
// How long a citizen's "typing" shows without news.
const TYPING_TTL_MS = 8000;
const typingTimers = {};

const idOf = (v) => Number(v) || 0;

// fits says whether a ticket belongs in the list as filtered now. "queue"
// is the agent's queues and own tickets; "all" is what the viewer may
// see, which an event does not prove: it also reaches the agent it took
// the ticket from (a transfer to a queue not theirs).
function fits(tk, s, d) {
  const status = s.statusFilter;
  if (status === 'all' ? false : status ? tk.status !== status : ACTIVE.indexOf(tk.status) < 0) { return false; }
  const mine = idOf(tk.assignee_id) === s.agent.id;
  if (s.scope === 'mine') { return mine; }
  const queues = Array.isArray(s.agent.queue_ids) ? s.agent.queue_ids : [];
  const ours = mine || queues.indexOf(idOf(tk.queue_id)) >= 0;
  if (s.scope === 'queue' && queues.length) { return ours; }
  return ours || can(s.agent, 'tickets.all') || idOf(d && d.previous_assignee_id) !== s.agent.id;
}

// names for ids the event carries without them, from what the console
// already knows.
function queueName(id, s) {
  if (!id) { return ''; }
  const q = s.targets.queues.find((x) => x.id === id);
  if (q) { return q.name || q.code; }
  const tk = s.tickets.find((x) => idOf(x.queue_id) === id && x.queue);
  return tk ? tk.queue : undefined;
}

function agentName(id, s) {
  if (!id) { return ''; }
  if (s.agent && s.agent.id === id) { return s.agent.name; }
  const a = s.targets.agents.find((x) => x.id === id);
  return a ? a.name : undefined;
}

// A ticket that comes into the list by a move (a transfer, an assignment,
// a release) carries no citizen's name or last words in its event (no
// personal data on the bus): the list is read again for them, once for
// the moves that come while a read is on its way. A new ticket's event
// carries its first words, which stand in for a missing name; they are
// kept for a while even when the new ticket is not listed, so a ticket
// routed to this agent right after it came in needs no read.
const firstWords = new Map(); // ticket id → preview of its ticket.created
const FIRST_WORDS_KEPT = 500;
let refilling = false;
let refillAgain = false;
async function refill() {
  if (refilling) { refillAgain = true; return; }
  refilling = true;
  try {
    do {
      refillAgain = false;
      await loadList();
    } while (refillAgain);
  } finally {
    refilling = false;
  }
}

function ticketEvent(name, d) {
  const s = store.get();
  const id = idOf(d.ticket_id);
  if (!id || !s.agent) { return; }
  const patch = { id };
  for (const k of ['tracking_number', 'status', 'channel', 'priority', 'subject']) {
    if (d[k] !== undefined && d[k] !== '') { patch[k] = d[k]; }
  }
  if (d.queue_id !== undefined) {
    patch.queue_id = idOf(d.queue_id) || null;
    const qn = queueName(idOf(d.queue_id), s);
    if (qn !== undefined) { patch.queue = qn; }
  }
  if (d.assignee_id !== undefined) {
    patch.assignee_id = idOf(d.assignee_id) || null;
    const an = agentName(idOf(d.assignee_id), s);
    if (an !== undefined) { patch.assignee_name = an; }
  }
  if (d.at) { patch.updated_at = d.at; }
  // The list's stand-in for a missing name is the citizen's last words:
  // a new ticket's event carries its first message; a later change's
  // preview may be an agent's reply, and the citizen's next words come by
  // message.created (see messageCreated).
  const known = s.tickets.find((x) => x.id === id);
  if (name === 'ticket.created' && d.preview !== undefined) {
    patch.preview = d.preview;
    firstWords.set(id, d.preview);
    if (firstWords.size > FIRST_WORDS_KEPT) { firstWords.delete(firstWords.keys().next().value); }
  } else if (!known && firstWords.has(id)) {
    patch.preview = firstWords.get(id);
  }
  const merged = Object.assign({}, known || {}, patch);
  const listed = fits(merged, s, d);
  store.upsertTicket(merged, listed);
  if (listed && !known && name !== 'ticket.created' && patch.preview === undefined) { refill(); }

  // The agent's own move on its way: its answer shows or closes the ticket.
  if (s.selectedId === id && s.ticket && !isMoving(id)) {
    // A new queue or assignee may put the ticket out of this agent's
    // reach or need names the event lacks: the ticket is read again
    // before anything else of it is (a read that is refused closes it,
    // see actions.readTicket, and nothing more is asked of it).
    const moved = (patch.assignee_id !== undefined && idOf(patch.assignee_id) !== idOf(s.ticket.assignee_id))
      || (patch.queue_id !== undefined && idOf(patch.queue_id) !== idOf(s.ticket.queue_id));
    if (moved) {
      loadTicket(id).then(() => { if (store.get().selectedId === id) { loadRouting(id); } });
    } else {
      store.set({ ticket: Object.assign({}, s.ticket, patch) });
      loadRouting(id);
      rereadIfReading(id);
    }
  } else if (s.selectedId !== id) {
    // A reply written to it may now be out of the agent's reach (unsent.js).
    const moved = !known || (patch.assignee_id !== undefined && idOf(patch.assignee_id) !== idOf(known.assignee_id))
      || (patch.queue_id !== undefined && idOf(patch.queue_id) !== idOf(known.queue_id));
    if (moved && (patch.assignee_id !== undefined || patch.queue_id !== undefined)) { checkReach(id, merged.tracking_number); }
  }
  if (name === 'ticket.assigned' || name === 'ticket.transferred' || name === 'ticket.created') {
    const me = s.agent.id;
    if (idOf(d.assignee_id) === me && idOf(d.previous_assignee_id) !== me) {
      notify('assigned', merged);
    }
  }
}

function messageCreated(d) {
  const s = store.get();
  const id = idOf(d.ticket_id);
  if (!id) { return; }
  const known = s.tickets.find((x) => x.id === id);
  if (known) {
    // The preview is the citizen's last message: an agent's reply or note
    // does not replace it.
    const preview = d.direction === 'in' && d.preview ? d.preview : known.preview;
    store.upsertTicket(Object.assign({}, known, { last_message_at: d.at || known.last_message_at, preview }), true);
  }
  if (s.selectedId === id) { loadTicket(id); }
  if (d.direction !== 'in') { return; }
  const seen = s.selectedId === id && !document.hidden;
  if (!seen) {
    store.set({ unread: store.bump(store.get().unread, id, (store.get().unread[id] || 0) + 1) });
  }
  store.set({ citizenTyping: store.bump(store.get().citizenTyping, id, undefined) });
  const assignee = idOf(d.assignee_id !== undefined ? d.assignee_id : (known && known.assignee_id));
  if (assignee === s.agent.id && !seen) {
    notify('message', Object.assign({}, known || { id }, { preview: d.preview }));
  }
}

function messageUpdated(d) {
  const s = store.get();
  const id = idOf(d.ticket_id);
  if (s.selectedId !== id || !s.ticket || !Array.isArray(s.ticket.messages)) { return; }
  const mid = idOf(d.message_id);
  if (!s.ticket.messages.some((m) => m.id === mid)) { loadTicket(id); return; }
  const messages = s.ticket.messages.map((m) => (m.id === mid
    ? Object.assign({}, m, { delivery_status: d.delivery_status, delivery_error: d.delivery_error || m.delivery_error })
    : m));
  store.set({ ticket: Object.assign({}, s.ticket, { messages }) });
  rereadIfReading(id);
}

function citizenTyping(d) {
  const id = idOf(d.ticket_id);
  if (!id) { return; }
  clearTimeout(typingTimers[id]);
  store.set({ citizenTyping: store.bump(store.get().citizenTyping, id, d.on ? true : undefined) });
  if (d.on) {
    typingTimers[id] = setTimeout(() => {
      store.set({ citizenTyping: store.bump(store.get().citizenTyping, id, undefined) });
    }, TYPING_TTL_MS);
  }
}

function slaEvent(name, d) {
  const id = idOf(d.ticket_id);
  if (!id) { return; }
  const mark = name === 'sla.breached' ? 'breached' : 'warning';
  store.set({ slaMarks: store.bump(store.get().slaMarks, id, mark) });
  if (store.get().selectedId === id) { loadRouting(id); }
}

function presenceEvent(d) {
  const s = store.get();
  const id = idOf(d.agent_id);
  if (s.agent && s.agent.id === id) {
    store.set({ agent: Object.assign({}, s.agent, { presence: d.presence }) });
    return;
  }
  const agents = s.targets.agents.map((a) => (a.id === id
    ? Object.assign({}, a, { presence: d.presence, queue_ids: d.queue_ids || a.queue_ids })
    : a));
  store.set({ targets: Object.assign({}, s.targets, { agents }) });
}

// applyEvent takes one socket event by its catalog name.
export function applyEvent(name, data) {
  if (TICKET_EVENTS.indexOf(name) >= 0) { ticketEvent(name, data); return; }
  switch (name) {
    case 'message.created': messageCreated(data); break;
    case 'message.updated': messageUpdated(data); break;
    case 'ticket.typing': citizenTyping(data); break;
    case 'sla.warning': case 'sla.breached': slaEvent(name, data); break;
    case 'queue.metrics': {
      const b = store.get().board;
      if (Array.isArray(data.queues)) {
        store.set({ board: Object.assign({}, b, { queues: data.queues, at: new Date().toISOString(), error: '' }) });
      }
      break;
    }
    case 'agent.presence': presenceEvent(data); break;
    case 'queue.wallboard': store.set({ wallboard: data, wallboardError: '' }); break; // wallboard.js
    case 'ticket.tagged': case 'ticket.wrapup': tagsEvent(name, data); break;
    case 'notification.created': onNotification(data); break;
    case 'ticket.notified': deliveryEvent(data); break; // notify
    case 'csat.rated': case 'csat.alert': case 'csat.commented': csatEvent(name, data); break;
    case 'complaint.updated': case 'complaint.escalated': case 'complaint.warning': complaintEvent(name, data); break; // lifecycle
    default: break;
  }
}
