// Reads from the API into the store. Views and the socket call these; the
// store is the only place the answers go.
import * as api from './api.js';
import * as store from './store.js';
import { errorMessage, t } from './ui.js';
import { fromList as tagsFromList } from './tags.js';

export const SLA_DAYS = 7;

// can: the signed-in agent's role grants permission p (internal/permission).
export const can = (agent, p) => !!agent && Array.isArray(agent.permissions) && agent.permissions.indexOf(p) >= 0;
// The queue board and the reports, at the top of the board tab.
export const mayBoard = (agent) => can(agent, 'reports.view');
// The screens below them on the board tab (complaints, wallboard, admin,
// tags, privacy: each module shows its own by its own permission). The
// tab is offered to a role that may open any of them, so that a custom
// role that manages accounts but reads no reports still reaches them.
const BOARD_SCREENS = ['complaints.supervise', 'wallboard.view', 'admin.agents', 'admin.queues', 'admin.roles', 'audit.view', 'tags.manage', 'privacy.manage'];
export const mayBoardScreens = (agent) => BOARD_SCREENS.some((p) => can(agent, p));

// latestRead makes a read of which only the newest call's answer lands: an
// earlier read answering last would take back what a push brought in
// between. read(of) asks the server (it never throws); land(res, carried,
// of) puts the answer in the store. What a call carries (an announcement of
// what changed) is kept when a newer call overtakes it and given to the
// answer that lands. reading(of) says whether a read (of that thing) is on
// its way: a push applied meanwhile starts another, since the answer on its
// way may be from before the push.
export function latestRead(read, land) {
  let seq = 0;
  let carried = null;
  let onWay = null; // what the read on its way is of; null when none
  const run = async (of, extra) => {
    const n = ++seq;
    onWay = of === undefined ? true : of;
    if (extra) { carried = Object.assign({}, carried, extra); }
    const res = await read(of);
    if (n !== seq) { return; }
    onWay = null;
    const x = carried || {};
    carried = null;
    land(res, x, of);
  };
  run.reading = (of) => onWay !== null && (of === undefined || onWay === of);
  return run;
}

// loadList re-reads the ticket list with the current filters.
export async function loadList() {
  const s = store.get();
  if (!s.agent) { return; }
  const scope = s.scope;
  const status = s.statusFilter;
  const filters = s.listFilters;
  const read = store.beginListRead();
  const res = await api.listTickets(scope, status, filters); // never throws
  const now = store.get();
  const changed = !now.agent || now.scope !== scope || now.statusFilter !== status || now.listFilters !== filters;
  if (changed || !res.ok) {
    store.endListRead(read, null); // the list stays as it is
    if (!changed && res.status !== 401) { store.set({ listError: errorMessage(res) }); }
    return;
  }
  const tickets = (res.data && Array.isArray(res.data.tickets)) ? res.data.tickets : [];
  store.endListRead(read, tickets, { listAt: new Date().toISOString(), listError: '' });
  tagsFromList(res.data.tags);
}

// Reads of the open ticket. They never overlap: a read asked for while
// one is on its way starts once that one is back (one for every caller
// meanwhile), and only the latest read started may land. So an answer
// read before an event, or before a newer read, never replaces what came
// after it.
let ticketRead = null; // {id, running, next}
let readSeq = 0;

// loadTicket re-reads the open ticket; it answers whether it was shown.
export function loadTicket(id) {
  // Only the open ticket is read: a late call for the one open before
  // (an event, a form's answer) would otherwise count as the newest read
  // and leave the open ticket's answer unused.
  if (store.get().selectedId !== id) { return Promise.resolve(false); }
  const r = ticketRead;
  if (r && r.id === id && r.running) {
    if (!r.next) {
      r.next = r.running.then(() => {
        r.next = null;
        return store.get().selectedId === id ? loadTicket(id) : false;
      });
    }
    return r.next;
  }
  const cur = { id, running: null, next: null };
  ticketRead = cur;
  cur.running = readTicket(id).finally(() => { cur.running = null; });
  return cur.running;
}

// rereadIfReading is for an event just applied to the open ticket: a read
// of it on its way may answer from before the event, so another follows.
export function rereadIfReading(id) {
  if (ticketRead && ticketRead.id === id && ticketRead.running) { loadTicket(id); }
}

async function readTicket(id) {
  const seq = ++readSeq;
  const res = await api.getTicket(id);
  if (seq !== readSeq) { return false; } // a newer read was started meanwhile
  if (store.get().selectedId !== id) { return false; } // another ticket was opened meanwhile
  if (!res.ok || !res.data) {
    if (res.status === 403 || res.status === 404) {
      // Out of this agent's reach now (moved to a queue not theirs,
      // erased). A move of their own says so itself (act in details.js).
      // One that was on screen leaves it, and the list, with the reason;
      // one that never was (an address naming another's ticket) shows why.
      if (moving.has(id)) { return false; }
      const shown = store.get().ticket;
      if (shown && shown.id === id) {
        leaveTicket(id, t('console.ticket_left', { tracking: shown.tracking_number || '' }));
      } else {
        store.set({ ticket: null, ticketError: errorMessage(res) });
      }
    } else if (res.status !== 401) {
      store.set({ ticketError: errorMessage(res) });
    }
    return false;
  }
  // Something changed while this read was on its way (a re-read is
  // queued after it, see loadTicket): its answer may be from before the
  // change, which the ticket on screen already shows (a delivery mark
  // pushed meanwhile). It stays until the re-read lands, instead of
  // flickering back.
  const onScreen = store.get().ticket;
  if (ticketRead && ticketRead.id === id && ticketRead.next && onScreen && onScreen.id === id) { return true; }
  store.set({ ticket: res.data, ticketError: '' });
  return true;
}

// Tickets the agent is moving themselves (a transfer, a give back on its
// way): its answer says whether they stay in the agent's sight, so a push
// of the move meanwhile reads nothing (live.js) and a read refused
// meanwhile closes nothing.
const moving = new Set();

// movingTicket marks ticket id as being moved by the agent (on) or not.
export function movingTicket(id, on) {
  if (on) { moving.add(id); } else { moving.delete(id); }
}
export const isMoving = (id) => moving.has(id);

// leaveTicket closes the open ticket id, now out of the agent's sight
// (they transferred it away; a supervisor moved it; it was erased): it
// leaves the list and the address, and ticketLeft says why to the list
// (list.js).
export function leaveTicket(id, text) {
  if (location.hash === '#ticket-' + id) { history.replaceState(null, '', location.pathname + location.search); }
  store.upsertTicket({ id }, false);
  store.set({ selectedId: 0, ticket: null, routing: null, ticketError: '', detailsOpen: false, ticketLeft: { id, text, at: Date.now() } });
}

// loadRouting re-reads the open ticket's SLA clocks and place in the queue.
export async function loadRouting(id) {
  const res = await api.getRouting(id);
  if (store.get().selectedId !== id) { return; }
  store.set({ routing: res.ok && res.data && res.data.routing ? res.data.routing : null });
}

// openTicket shows ticket id (0 closes it): thread, routing and the
// colleagues it may go to.
export async function openTicket(id) {
  const s = store.get();
  const unread = store.bump(s.unread, id, undefined);
  if (s.selectedId === id) {
    store.set({ unread });
    return loadTicket(id);
  }
  store.set({ selectedId: id, ticket: null, routing: null, ticketError: '', unread, detailsOpen: false });
  if (!id) { return false; }
  loadTargets();
  loadRouting(id);
  return loadTicket(id);
}

// showTicket opens ticket id from elsewhere (a notification, the
// wallboard): on the tickets tab, the focus in its thread once it is shown.
// The address change opens it; an address that names it already, here.
export function showTicket(id) {
  store.set({ focusThread: id, boardShown: false });
  if (location.hash === '#ticket-' + id) { openTicket(id); } else { location.hash = '#ticket-' + id; }
}

// loadTargets reads who and where a ticket may be transferred to, once per
// session. Without the endpoint (an older server), the agents list is left
// empty and the queue is typed by its code.
export async function loadTargets(force) {
  const s = store.get();
  if (s.targets.loaded && !force) { return; }
  store.set({ targets: Object.assign({}, s.targets, { loaded: true }) });
  const res = await api.transferTargets();
  if (res.ok && res.data) {
    store.set({ targets: {
      agents: Array.isArray(res.data.agents) ? res.data.agents : [],
      queues: Array.isArray(res.data.queues) ? res.data.queues : [],
      available: true, loaded: true,
    } });
    return;
  }
  if (res.status === 404) {
    store.set({ targets: { agents: [], queues: [], available: false, loaded: true } });
  } else {
    store.set({ targets: Object.assign({}, store.get().targets, { loaded: false }) });
  }
}

// loadBoard reads the queue figures and the SLA report. A failed read
// keeps the last rows and says so.
export async function loadBoard() {
  const s = store.get();
  if (!mayBoard(s.agent) || s.board.loading) { return; }
  store.set({ board: Object.assign({}, s.board, { loading: true }) });
  const agent = s.agent;
  const [metrics, report] = await Promise.all([api.queueMetrics(), api.slaReport(SLA_DAYS)]);
  const now = store.get();
  if (now.agent !== agent) { return; } // signed out meanwhile
  const ok = metrics.ok && metrics.data && Array.isArray(metrics.data.queues) &&
    report.ok && report.data && Array.isArray(report.data.queues);
  if (!ok) {
    const failed = metrics.ok ? report : metrics;
    store.set({ board: Object.assign({}, now.board, { loading: false, error: errorMessage(failed), forbidden: failed.status === 403 }) });
    return;
  }
  const sla = {};
  report.data.queues.forEach((r) => { sla[r.queue_id] = r; });
  store.set({ board: { queues: metrics.data.queues, sla, at: new Date().toISOString(), error: '', loading: false } });
}

// refreshOnScreen re-reads what the console shows: after the socket
// (re)connects, on the manual refresh and on the poll while it is down.
// The list, the open ticket and the queue board are read here; every
// other panel kept up by pushes follows catchUp (store.js).
export function refreshOnScreen() {
  const s = store.get();
  if (!s.agent) { return; }
  loadList();
  if (s.selectedId) {
    loadTicket(s.selectedId);
    loadRouting(s.selectedId);
  }
  if (mayBoard(s.agent) && s.boardShown) { loadBoard(); }
  store.set({ catchUp: s.catchUp + 1 });
}
