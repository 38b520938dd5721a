// The console's one state store. Every fact a view shows lives here; the
// API calls (actions.js) and the push socket (socket.js, through live.js)
// write it, views read it and re-render on the keys they follow. No view
// keeps a copy of server data or reads another view's DOM.
//
// State, by key:
//   agent       the signed-in agent ({id, name, role, presence, queue_ids}) or null
//   agentKey    who is signed in with which permissions ('' when nobody): it
//               changes on a sign-in, a sign-out or a role change, not on a
//               presence change; what is read once per session follows it
//   signedOut   why the session ended (a text), set with agent = null
//   channels    the channels the server runs (['livechat', 'voice', ...]), said
//               with the signed-in agent: a channel's screens ask nothing of
//               one that is off (watemplates.js), and a ticket of a channel
//               that is off takes notes only (thread.js, runs)
//   scope, statusFilter   the list's filters
//   tickets     the list: ticket summaries, most recently active first
//   listAt      when the list was last read in full (ISO), '' before
//   listError   the last list read's error text, '' when fine
//   selectedId  the open ticket's id (number) or 0
//   ticket      the open ticket in full (summary, contact, messages) or null
//   ticketError why the open ticket could not be read, '' when fine
//   focusThread the ticket whose thread takes focus once shown (opened by a click)
//   ticketLeft  {id, text, at}: the open ticket left the agent's sight and
//               was closed (actions.leaveTicket); text says why (list.js)
//   routing     the open ticket's routing answer (SLA clocks, position) or null
//   targets     transfer targets {agents, queues, available}; available false
//               when the server has no transfer-targets endpoint
//   board       {queues, sla, at, error, loading, forbidden} for supervisors and admins
//   boardShown  the queue board tab is selected
//   viewers     {ticketId: [{agent_id, name, typing}]} colleagues on a ticket
//   citizenTyping  {ticketId: true} while the citizen is typing
//   unread      {ticketId: count} citizen messages not seen yet
//   slaMarks    {ticketId: 'warning'|'breached'} from SLA events
//   socket      'connecting' | 'open' | 'down' | 'unavailable'
//   catchUp     a count raised each time the console re-reads what it shows
//               (refreshOnScreen: the socket's hello, the poll while it is
//               down, the refresh button); a panel filled by pushes reads
//               itself again on it, since the server replays nothing
//   settings    notification switches {unread, sound, desktop}
//   detailsOpen the details panel is open (narrow screens)
//   ticketTags  {ticketId: [tag names]} from the list, the open ticket and ticket.tagged (tags.js)
//   tagList     {tags, may_create, loaded}: the tags to choose from (tags.js)
//   wrapup      the open ticket's wrap-up state {id, queue, required, chosen, codes} or null (tags.js)
//   bulkSelected  ids of the tickets ticked for a bulk action (bulk.js)
//   composeMode 'reply' (to the citizen) or 'note' (internal) in the reply box (notes.js)
//   replyAllowed the open ticket takes a text reply now (false: a phone ticket, a closed
//               ticket, a closed WhatsApp window: the box writes internal notes only)
//   notifications {list, unread, loaded}: the agent's notifications, newest first (notes.js)
//   macros      the macros the agent may apply (canned.js)
//   cannedChanged when the canned replies or macros were last changed (cannedadmin.js)
//   cannedUsed  {id, at}: the canned reply last inserted, whose use was counted (canned.js)
//   macroUsed   {id, at}: the macro last applied, whose use (and its reply's) was counted (canned.js)
//   composeSent {id, at}: the ticket whose reply or note last left the reply box (thread.js, notes.js)
//   contact     the open ticket's contact panel {id, panel, error, loading} (contact.js)
//   contactDups probable duplicates of that contact {id, list, error} (supervisors, admins)
//   listFilters more filters of the list {channel, priority, sla, assignee, queue_id,
//               category, province, tag, wrapup, from, to} (search.js)
//   search      {q, results, next, loading, error}: the search box's answer (search.js)
//   views       saved views [{id, name, shared, editable, filters}] (search.js)
//   viewCounts  {counts: {viewId: n}, cap}: live counts of the views (search.js)
//   activeView  the view whose filters the list shows, or 0 (search.js)
const state = {
  agent: null,
  agentKey: '',
  signedOut: '',
  channels: [],
  scope: 'mine',
  statusFilter: '',
  tickets: [],
  listAt: '',
  listError: '',
  selectedId: 0,
  ticket: null,
  ticketError: '',
  focusThread: 0,
  ticketLeft: null,
  routing: null,
  targets: { agents: [], queues: [], available: true, loaded: false },
  board: { queues: null, sla: {}, at: '', error: '', loading: false },
  boardShown: false,
  // wallboard.js and admin.js: the pushed wallboard, its status, TV mode,
  // a "move all" waiting for its confirmation ({agent, to, toName});
  // the admin screen's tab.
  wallboard: null, wallboardError: '', wallboardStatus: '', wallboardTV: false, wallboardMove: null, adminShown: false,
  viewers: {},
  citizenTyping: {},
  unread: {},
  slaMarks: {},
  socket: 'connecting',
  catchUp: 0,
  settings: { unread: true, sound: false, desktop: false },
  detailsOpen: false,
  ticketTags: {},
  tagList: { tags: [], may_create: false, loaded: false },
  wrapup: null,
  bulkSelected: [],
  composeMode: 'reply',
  replyAllowed: true,
  notifications: { list: [], unread: 0, loaded: false },
  macros: [],
  cannedChanged: 0,
  cannedUsed: null,
  macroUsed: null,
  composeSent: null,
  contact: { id: 0, panel: null, error: '', loading: false },
  contactDups: { id: 0, list: [], error: '' },
  listFilters: {},
  search: { q: '', results: [], next: 0, older: false, loading: false, error: '' },
  views: [],
  viewCounts: { counts: {}, cap: 0 },
  activeView: 0,
  // Complaint lifecycle of the open ticket (lifecycle.js): {id, view, error, revealed}.
  complaint: null,
};

const listeners = [];

// get returns the current state. Callers treat it as read-only and change
// it only through set.
export function get() { return state; }

// runs says whether the server runs channel (store key channels). Until the
// session has named them, every channel is taken to run.
export function runs(channel) {
  const on = state.channels || [];
  return !on.length || on.indexOf(channel) >= 0;
}

// set merges a patch into the state and tells every listener that follows
// one of the changed keys. A value is replaced, never mutated in place, so
// a listener may keep the old one.
export function set(patch) {
  const changed = [];
  for (const k of Object.keys(patch)) {
    if (state[k] !== patch[k]) {
      state[k] = patch[k];
      changed.push(k);
    }
  }
  if (!changed.length) { return; }
  for (const l of listeners.slice()) {
    if (l.keys.some((k) => changed.indexOf(k) >= 0)) { l.fn(state, changed); }
  }
}

// on calls fn(state, changedKeys) whenever one of keys changes.
export function on(keys, fn) {
  listeners.push({ keys, fn });
}

// ---- helpers that derive a new value for one key ----

// upsertTicket puts a summary into the list (merged with what is there),
// most recently active first; keep=false removes it.
export function upsertTicket(summary, keep) {
  if (listReads > 0) { pushed.push({ summary, keep }); }
  if (!keep && !state.tickets.some((x) => x.id === summary.id)) { return; }
  const list = state.tickets.filter((x) => x.id !== summary.id);
  const old = state.tickets.find((x) => x.id === summary.id);
  if (keep) {
    const merged = Object.assign({}, old || {}, summary);
    list.push(merged);
    list.sort((a, b) => activity(b) - activity(a));
  }
  set({ tickets: list });
}

// A read of the list answers from the moment the server ran it: a change
// pushed while the answer was on its way (a new ticket, an assignment)
// would be undone by it. So the changes pushed during reads are kept and
// applied again on top of each answer.
let listReads = 0;
let pushed = [];

// beginListRead marks a read of the list as started; the token it returns
// goes to endListRead.
export function beginListRead() {
  listReads++;
  return pushed.length;
}

// endListRead ends the read begun with token; with its answer (tickets,
// not null) the list becomes the answer with the changes pushed since the
// read began applied again.
export function endListRead(token, tickets, more) {
  const since = pushed.slice(token);
  listReads--;
  if (listReads === 0) { pushed = []; }
  if (tickets === null) { return; }
  set(Object.assign({ tickets }, more || {}));
  for (const c of since) { upsertTicket(c.summary, c.keep); }
}

function activity(tk) {
  const v = Date.parse(tk.last_message_at || tk.updated_at || '');
  return isNaN(v) ? 0 : v;
}

// bump returns a copy of a {ticketId: value} map with one entry changed;
// undefined removes it.
export function bump(map, id, value) {
  const out = Object.assign({}, map);
  if (value === undefined) { delete out[id]; } else { out[id] = value; }
  return out;
}
