// The wallboard, beside the queue board (board.js) for supervisors and
// admins: the agent grid (state and not-ready reason, time in state, load
// per channel, current tickets) and each queue and channel today (waiting,
// longest wait, service level, average speed of answer, abandonment, SLA
// met). The socket pushes the whole board as queue.wallboard (live.js puts
// it in the store); it is read once when the tab opens and again when the
// socket reconnects. TV mode shows it full screen in large type.
// Supervisor actions: set an agent's presence (with a reason), move all of
// an agent's tickets, take over a ticket.
// Attention marks are words and shapes (⚠, ▲), never colour alone.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, label, lang, errorMessage, formatDate, keepLive } from './ui.js';
import { can, showTicket } from './actions.js';
import { readyFirst, agentOption } from './boardagents.js';

// dayText writes the board's day (YYYY-MM-DD, the program's calendar day)
// as a reader's date ("6 Desember 2026"); the day as sent if it is none.
function dayText(day) {
  const d = new Date(day + 'T00:00:00Z');
  if (!day || isNaN(d.getTime())) { return day || ''; }
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
  } catch (e) {
    return day;
  }
}

const view = $('board-view');
const mount = $('wallboard-mount');
// status says the outcome of an action; drawn once and kept across
// redraws (keepLive), only its text changes, so it is read out.
const status = el('p', { 'class': 'form-status', id: 'wb-status', role: 'status', 'aria-live': 'polite' });
let pct = null;
try { pct = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }); } catch (e) { pct = null; }

const reasonLabel = (reasons, code) => {
  const r = (reasons || []).find((x) => x.code === code);
  if (!r) { return code; }
  return lang.indexOf('en') === 0 ? r.label_en : r.label_id;
};

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  if (s < 60) { return t('wallboard.dur_s', { s }); }
  const m = Math.floor(s / 60);
  if (m < 60) { return t('wallboard.dur_ms', { m, s: s % 60 }); }
  return t('wallboard.dur_hm', { h: Math.floor(m / 60), m: m % 60 });
}

const percentText = (p) => (p < 0 ? '—' : t('board.percent', { value: pct ? pct.format(p) : String(p) }));

export async function loadWallboard() {
  const s = store.get();
  if (!can(s.agent, 'wallboard.view')) { return; }
  const res = await api.wallboard();
  if (res.ok && res.data) {
    store.set({ wallboard: res.data, wallboardError: '' });
  } else {
    store.set({ wallboardError: errorMessage(res) });
  }
}

// sinceSeconds is the time in state at the moment of rendering.
function sinceSeconds(a) {
  return a.state_since ? (Date.now() - Date.parse(a.state_since)) / 1000 : -1;
}

function stateCell(a, reasons) {
  const shape = { online: '●', busy: '■', away: '◆', offline: '○' }[a.presence] || '○';
  const parts = [el('span', { 'class': 'wb-shape', 'aria-hidden': 'true', text: shape + ' ' }),
    el('span', { 'class': 'wb-state', text: label('presence.', a.presence) })];
  if (a.reason) { parts.push(el('span', { 'class': 'wb-reason', text: ' — ' + reasonLabel(reasons, a.reason) })); }
  return el('td', { 'class': 'wb-state-cell wb-' + a.presence }, parts);
}

function overLimit(a, reasons) {
  const r = (reasons || []).find((x) => x.code === a.reason);
  return !!(a.presence === 'away' && r && r.limit_seconds > 0 && sinceSeconds(a) > r.limit_seconds) ? r : null;
}

function sinceCell(a, reasons) {
  const td = el('td', { 'class': 'num wb-since', 'data-agent': String(a.agent_id) });
  fillSince(td, a, reasons);
  return td;
}

function fillSince(td, a, reasons) {
  const s = sinceSeconds(a);
  td.textContent = s < 0 ? '—' : duration(s);
  const r = overLimit(a, reasons);
  if (r) {
    td.appendChild(el('span', { 'class': 'wb-mark', text: t('wallboard.over_limit', { limit: duration(r.limit_seconds) }) }));
  }
}

function channelsText(a) {
  const keys = Object.keys(a.channels || {}).sort();
  if (!keys.length) { return '—'; }
  return keys.map((k) => label('channel.', k) + ' ' + a.channels[k]).join(', ');
}

function ticketsCell(a) {
  const items = (a.tickets || []).map((tk) => el('li', {}, [
    el('a', { href: '#ticket-' + tk.ticket_id, 'class': 'mono', 'data-ticket': String(tk.ticket_id), text: tk.tracking_number }),
    ' ',
    el('button', { type: 'button', id: 'wb-take-' + tk.ticket_id, 'class': 'btn btn-link btn-small wb-takeover', 'data-ticket': String(tk.ticket_id),
      'aria-label': t('wallboard.take_over_ticket', { ticket: tk.tracking_number }), text: t('wallboard.take_over') }),
  ]));
  const td = el('td', { 'class': 'wb-tickets' }, [items.length ? el('ul', { 'class': 'wb-ticket-list' }, items) : '—']);
  if (a.ticket_count > items.length) { td.appendChild(el('span', { 'class': 'muted small', text: t('wallboard.more_tickets', { n: a.ticket_count - items.length }) })); }
  return td;
}

function actionsCell(a, b, me) {
  const id = 'wb-state-' + a.agent_id;
  const sel = el('select', { id, 'class': 'wb-set-state', 'data-agent': String(a.agent_id) }, [
    el('option', { value: 'online', text: label('presence.', 'online') }),
    el('option', { value: 'busy', text: label('presence.', 'busy') }),
    ...(b.reasons || []).map((r) => el('option', { value: 'away:' + r.code, text: t('wallboard.not_ready', { reason: reasonLabel(b.reasons, r.code) }) })),
    el('option', { value: 'away:', text: t('wallboard.not_ready_none') }),
    el('option', { value: 'offline', text: label('presence.', 'offline') }),
  ]);
  sel.value = a.presence === 'away' ? 'away:' + (a.reason || '') : a.presence;
  const moveId = 'wb-move-' + a.agent_id;
  // Ready colleagues first, each with their state and load written out
  // (tickets moved to an away colleague go back to the queue once the away
  // grace is over), as the ticket's transfer offers them: an offline one,
  // or one without room, cannot take them and says so (boardagents.js).
  const others = readyFirst((b.agents || []).filter((x) => x.agent_id !== a.agent_id));
  const queues = (store.get().targets.queues || []);
  const move = el('select', { id: moveId, 'class': 'wb-move-to' }, [
    ...others.map((x) => agentOption('a:' + x.agent_id, x,
      t('wallboard.move_to_agent', { name: x.name, presence: label('presence.', x.presence), load: x.load, capacity: x.capacity }))),
    ...queues.map((q) => el('option', { value: 'q:' + q.code, text: t('wallboard.move_to_queue', { queue: q.name || q.code }) })),
  ]);
  const cells = [
    el('label', { 'for': id, 'class': 'visually-hidden', text: t('wallboard.set_state_for', { name: a.name }) }), sel, ' ',
    el('button', { type: 'button', id: 'wb-apply-' + a.agent_id, 'class': 'btn btn-secondary btn-small wb-apply', 'data-agent': String(a.agent_id), text: t('wallboard.apply') }),
  ];
  const asked = store.get().wallboardMove;
  if (a.ticket_count > 0 && asked && asked.agent === a.agent_id) {
    // Moving someone's whole load is asked once more, in place: what
    // moves, from whom, to whom.
    move.value = asked.to;
    move.disabled = true; // the question names this choice; "no" to change it
    const q = 'wb-move-confirm-' + a.agent_id;
    cells.push(el('br'), el('label', { 'for': moveId, 'class': 'visually-hidden', text: t('wallboard.move_for', { name: a.name }) }), move,
      el('p', { id: q, 'class': 'wb-move-confirm', text: t('wallboard.move_confirm', { n: a.ticket_count, name: a.name, to: asked.toName }) }),
      el('button', { type: 'button', id: 'wb-move-yes-' + a.agent_id, 'class': 'btn btn-primary btn-small wb-move-yes', 'data-agent': String(a.agent_id),
        'aria-describedby': q, text: t('wallboard.move_yes') }), ' ',
      el('button', { type: 'button', id: 'wb-move-no-' + a.agent_id, 'class': 'btn btn-secondary btn-small wb-move-no', 'data-agent': String(a.agent_id),
        text: t('wallboard.move_cancel') }));
  } else if (a.ticket_count > 0) {
    cells.push(el('br'), el('label', { 'for': moveId, 'class': 'visually-hidden', text: t('wallboard.move_for', { name: a.name }) }), move, ' ',
      el('button', { type: 'button', id: 'wb-moveall-' + a.agent_id, 'class': 'btn btn-secondary btn-small wb-move', 'data-agent': String(a.agent_id),
        text: t('wallboard.move_all', { n: a.ticket_count }) }));
  }
  if (me && me.id === a.agent_id) { cells.push(el('span', { 'class': 'muted small', text: ' ' + t('wallboard.you') })); }
  return el('td', { 'class': 'wb-actions' }, cells);
}

function lineFlags(l) {
  const out = [];
  if (l.service_level >= 0 && l.service_level < 80) { out.push(t('wallboard.flag_service_level')); }
  if (l.sla_percent >= 0 && l.sla_percent < 80) { out.push(t('wallboard.flag_sla')); }
  if (l.longest_wait_seconds > l.threshold_seconds && l.waiting > 0) { out.push(t('wallboard.flag_waiting')); }
  return out;
}

// table builds one of the wallboard's tables. On a phone each row is a
// card (app.css, .stack-table, as the admin tables): the attention column
// was off-screen at the end of a row scrolled sideways. Every cell is
// labelled with its column's name (data-label); the explicit roles keep
// it a table where a browser drops the semantics of cells shown as blocks.
function table(caption, heads, rows, id) {
  rows.forEach((tr) => {
    tr.setAttribute('role', 'row');
    let col = 0;
    [...tr.cells].forEach((c) => {
      if (heads[col]) { c.setAttribute('data-label', heads[col][0]); }
      c.setAttribute('role', c.tagName === 'TH' ? 'rowheader' : 'cell');
      col += c.colSpan;
    });
  });
  return el('div', { 'class': 'board-scroll', role: 'region', 'aria-label': caption, tabindex: '0' }, [
    el('table', { 'class': 'board-table wb-table stack-table', id, role: 'table' }, [
      el('caption', { 'class': 'visually-hidden', text: caption }),
      el('thead', { role: 'rowgroup' }, [el('tr', { role: 'row' }, heads.map((h) => el('th', { scope: 'col', role: 'columnheader', 'class': h[1] || '', text: h[0] })))]),
      el('tbody', { role: 'rowgroup' }, rows),
    ]),
  ]);
}

// render draws the whole wallboard again; a push must not take the
// keyboard user's place, so the focused control (and a select's pending
// choice) is found again by its id.
function render(s) {
  if (s.wallboardMove && moveGone(s.wallboard, s.wallboardMove)) {
    // The question no longer stands (the tickets went, the colleague
    // went offline): it is withdrawn, said, and the focus kept in the row.
    const agent = s.wallboardMove.agent;
    store.set({ wallboardMove: null, wallboardStatus: t('wallboard.move_dropped') });
    const back = $('wb-moveall-' + agent) || $('wb-state-' + agent) || $('wb-status');
    if (back) { back.focus(); }
    return;
  }
  const active = document.activeElement && mount.contains(document.activeElement) && document.activeElement.id
    ? { id: document.activeElement.id, value: document.activeElement.value } : null;
  draw(s);
  if (active) {
    const n = $(active.id);
    if (n) {
      // A choice that can no longer be taken (the colleague went offline
      // or is full) is not chosen again: the select keeps its first open one.
      if (n.tagName === 'SELECT' && [...n.options].some((o) => o.value === active.value && !o.disabled)) { n.value = active.value; }
      n.focus();
    }
  }
  // Set only when it changes: the same text set again may be said again.
  if (status.textContent !== (s.wallboardStatus || '')) { status.textContent = s.wallboardStatus || ''; }
}

function draw(s) {
  const b = s.wallboard;
  keepLive(mount, status);
  mount.hidden = !can(s.agent, 'wallboard.view');
  const tv = !!s.wallboardTV;
  mount.prepend(el('div', { 'class': 'board-head wb-head' }, [
    el('h2', { id: 'wb-title', text: t('wallboard.title') }),
    el('span', { 'class': 'muted small', id: 'wb-updated', text: b ? t('wallboard.updated', { time: formatDate(b.at) }) : '' }),
    el('button', { type: 'button', id: 'wb-tv', 'class': 'btn btn-secondary btn-small', 'aria-pressed': tv ? 'true' : 'false',
      text: tv ? t('wallboard.tv_exit') : t('wallboard.tv') }),
  ]));
  if (s.wallboardError) { mount.appendChild(el('p', { 'class': 'board-status board-status-problem', text: s.wallboardError })); }
  if (!b) { mount.appendChild(el('p', { 'class': 'muted', text: t('board.loading') })); return; }
  const lines = (b.lines || []).map((l) => {
    const marks = lineFlags(l);
    return el('tr', { 'class': marks.length ? 'board-row board-alert' : 'board-row', 'data-line': l.queue + '/' + l.channel }, [
      el('th', { scope: 'row', text: l.name || l.queue }),
      el('td', { 'class': 'wb-channel', text: label('channel.', l.channel) }),
      el('td', { 'class': 'num wb-waiting', text: String(l.waiting) }),
      el('td', { 'class': 'num wb-longest', text: l.waiting ? duration(l.longest_wait_seconds) : '—' }),
      el('td', { 'class': 'num wb-offered', text: String(l.offered) }),
      el('td', { 'class': 'num wb-sl', text: percentText(l.service_level), title: t('wallboard.threshold', { time: duration(l.threshold_seconds) }) }),
      el('td', { 'class': 'num wb-asa', text: l.answered ? duration(l.asa_seconds) : '—' }),
      el('td', { 'class': 'num wb-abandoned', text: String(l.abandoned) }),
      el('td', { 'class': 'num wb-sla', text: percentText(l.sla_percent) }),
      marks.length ? el('td', { 'class': 'board-flag' }, marks.map((m) => el('span', { 'class': 'board-mark', text: m })))
        : el('td', { 'class': 'board-flag board-flag-none', text: t('board.flag_none') }),
    ]);
  });
  mount.appendChild(el('h3', { text: t('wallboard.lines_title', { day: dayText(b.day) }) }));
  mount.appendChild(table(t('wallboard.lines_caption'), [[t('board.col_queue')], [t('wallboard.col_channel')], [t('board.col_waiting'), 'num'],
    [t('wallboard.col_longest'), 'num'], [t('wallboard.col_offered'), 'num'], [t('wallboard.col_sl'), 'num'], [t('wallboard.col_asa'), 'num'],
    [t('wallboard.col_abandoned'), 'num'], [t('wallboard.col_sla'), 'num'], [t('board.col_flag')]], lines, 'wb-lines'));
  if (!lines.length) { mount.appendChild(el('p', { 'class': 'muted', text: t('wallboard.no_lines') })); }
  const calls = b.calls || { inbound: 0, abandoned: 0 };
  mount.appendChild(el('p', { id: 'wb-calls', text: t('wallboard.calls', { inbound: calls.inbound, abandoned: calls.abandoned }) }));
  const agents = (b.agents || []).map((a) => {
    const over = overLimit(a, b.reasons);
    return el('tr', { 'class': over ? 'board-row board-alert' : 'board-row', 'data-agent': String(a.agent_id) }, [
      el('th', { scope: 'row', text: a.name }),
      stateCell(a, b.reasons),
      sinceCell(a, b.reasons),
      el('td', { 'class': 'num wb-load', text: t('wallboard.load', { load: a.load, capacity: a.capacity }) }),
      el('td', { 'class': 'wb-channels', text: channelsText(a) }),
      ticketsCell(a),
      tv ? null : actionsCell(a, b, s.agent),
    ]);
  });
  const heads = [[t('wallboard.col_agent')], [t('wallboard.col_state')], [t('wallboard.col_since'), 'num'], [t('wallboard.col_load'), 'num'],
    [t('wallboard.col_channels')], [t('wallboard.col_tickets')]];
  if (!tv) { heads.push([t('wallboard.col_actions')]); }
  mount.appendChild(el('h3', { text: t('wallboard.agents_title') }));
  mount.appendChild(table(t('wallboard.agents_caption'), heads, agents, 'wb-agents'));
  mount.appendChild(el('p', { 'class': 'muted small', text: t('wallboard.legend', { online: label('presence.', 'online'), busy: label('presence.', 'busy'), away: label('presence.', 'away'), offline: label('presence.', 'offline') }) }));
}

// tick refreshes the time-in-state cells every second, without a redraw.
function tick() {
  const b = store.get().wallboard;
  if (!b || view.hidden) { return; }
  document.querySelectorAll('#wb-agents .wb-since').forEach((td) => {
    const a = (b.agents || []).find((x) => String(x.agent_id) === td.getAttribute('data-agent'));
    if (a) { fillSince(td, a, b.reasons); }
  });
}

function say(text) { store.set({ wallboardStatus: text }); }

// targetAgent is the colleague a "move all" choice names on board b;
// null for a queue (or a colleague no longer on the board).
function targetAgent(b, to) {
  if (!b || to.indexOf('a:') !== 0) { return null; }
  return (b.agents || []).find((x) => String(x.agent_id) === to.slice(2)) || null;
}

// moveGone reports whether a "move all" waiting for its confirmation no
// longer stands on board b: its agent holds no tickets (or is gone), or
// the colleague it names, not offline when asked, is gone or went offline.
// A colleague who could not take the tickets when asked is left to the
// server, whose refusal is said as it is (no_capacity): the board did
// not change.
function moveGone(b, asked) {
  if (!b) { return false; }
  const from = (b.agents || []).find((x) => x.agent_id === asked.agent);
  if (!from || !(from.ticket_count > 0)) { return true; }
  if (asked.to.indexOf('a:') !== 0 || asked.offline) { return false; }
  const to = targetAgent(b, asked.to);
  return !to || to.presence === 'offline';
}

// movedText says what a "move all" did: how many moved, and, when some
// were refused, why (each reason once, as the server words it).
function movedText(data) {
  const refused = data.refused || [];
  const n = (data.moved || []).length;
  if (!refused.length) { return t('wallboard.moved', { n, refused: 0 }); }
  const reasons = [...new Set(refused.map((r) => r.message || r.code).filter(Boolean))];
  return t('wallboard.moved_refused', { n, refused: refused.length, reasons: reasons.join('; ') });
}

// cancelMove withdraws the question and gives the focus back to the
// button that asked it.
function cancelMove() {
  const asked = store.get().wallboardMove;
  if (!asked) { return; }
  store.set({ wallboardMove: null });
  const again = $('wb-moveall-' + asked.agent);
  if (again) { again.focus(); }
}

// targetName names where "move all" sends the tickets: a colleague by
// name, a queue by its name.
function targetName(to) {
  if (to.indexOf('a:') === 0) {
    const x = ((store.get().wallboard || {}).agents || []).find((y) => String(y.agent_id) === to.slice(2));
    return x ? x.name : to.slice(2);
  }
  const q = (store.get().targets.queues || []).find((y) => y.code === to.slice(2));
  return t('wallboard.queue_named', { queue: q ? (q.name || q.code) : to.slice(2) });
}

async function onClick(ev) {
  // A ticket's link opens it on the tickets tab, the focus in its thread.
  const link = ev.target.closest('a[data-ticket]');
  if (link && mount.contains(link)) { ev.preventDefault(); showTicket(Number(link.getAttribute('data-ticket'))); return; }
  const btn = ev.target.closest('button');
  if (!btn || !mount.contains(btn)) { return; }
  if (btn.id === 'wb-tv') { toggleTV(); return; }
  const agentId = Number(btn.getAttribute('data-agent'));
  if (btn.classList.contains('wb-apply')) {
    const [presence, reason] = $('wb-state-' + agentId).value.split(':');
    say(''); // an outcome like the last one is said again
    const res = await api.setAgentState(agentId, presence, reason || '');
    say(res.ok ? t('wallboard.state_set') : errorMessage(res));
  } else if (btn.classList.contains('wb-move')) {
    const to = $('wb-move-' + agentId).value || '';
    if (!to) { return; }
    const target = targetAgent(store.get().wallboard, to);
    store.set({ wallboardMove: { agent: agentId, to, toName: targetName(to), offline: !!target && target.presence === 'offline' } });
    const yes = $('wb-move-yes-' + agentId);
    if (yes) { yes.focus(); }
  } else if (btn.classList.contains('wb-move-no')) {
    cancelMove();
  } else if (btn.classList.contains('wb-move-yes')) {
    const asked = store.get().wallboardMove;
    if (!asked || asked.agent !== agentId) { return; }
    // Answered once: the question goes before the request, so a second
    // press cannot move what was given to the agent meanwhile.
    store.set({ wallboardMove: null });
    const back = $('wb-moveall-' + agentId) || $('wb-state-' + agentId);
    if (back) { back.focus(); }
    const to = asked.to;
    const body = to.indexOf('a:') === 0 ? { agent_id: Number(to.slice(2)) } : { queue: to.slice(2) };
    say('');
    const res = await api.moveTickets(agentId, body);
    say(res.ok ? movedText(res.data) : errorMessage(res));
  } else if (btn.classList.contains('wb-takeover')) {
    const me = store.get().agent;
    say('');
    const res = await api.assignTicket(Number(btn.getAttribute('data-ticket')), me.id);
    say(res.ok ? t('wallboard.taken_over') : errorMessage(res));
  }
}

function toggleTV() {
  const on = !store.get().wallboardTV;
  store.set({ wallboardTV: on });
  document.body.classList.toggle('wb-tv-mode', on);
  if (on) { $('board-view').scrollTop = 0; } // the screen starts at its top, not where the board was scrolled
  if (on && view.requestFullscreen) { view.requestFullscreen().catch(() => {}); }
  if (!on && document.fullscreenElement && document.exitFullscreen) { document.exitFullscreen().catch(() => {}); }
  const b = $('wb-tv');
  if (b) { b.focus(); }
}

// The agent's own not-ready reason, beside the presence in the console
// bar: shown while the agent is away; choosing one tells the wallboard.
let myReasons = null;
function renderMyReason(s) {
  const box = $('presence-reason-mount');
  if (!box) { return; }
  box.textContent = '';
  if (!s.agent || s.agent.presence !== 'away' || !myReasons || !myReasons.length) { return; }
  const sel = el('select', { id: 'presence-reason' }, [el('option', { value: '', text: t('wallboard.no_reason') }),
    ...myReasons.map((r) => el('option', { value: r.code, text: lang.indexOf('en') === 0 ? r.label_en : r.label_id }))]);
  sel.value = s.myReason || '';
  sel.addEventListener('change', async () => {
    const res = await api.setMyState('away', sel.value);
    if (res.ok) { store.set({ myReason: sel.value }); } else { say(errorMessage(res)); }
  });
  box.append(el('label', { 'for': 'presence-reason', 'class': 'visually-hidden', text: t('wallboard.my_reason') }), sel);
}

export function mountWallboard() {
  if (!mount) { return; }
  let signedIn = 0;
  store.on(['agent', 'myReason'], (s) => {
    if (s.agent && s.agent.id !== signedIn) {
      signedIn = s.agent.id;
      api.notReadyReasons().then((res) => {
        myReasons = res.ok && res.data ? res.data.reasons : [];
        renderMyReason(store.get());
      });
    }
    renderMyReason(s);
  });
  store.on(['wallboard', 'wallboardError', 'wallboardStatus', 'wallboardTV', 'wallboardMove', 'agent'], render);
  store.on(['boardShown'], (s) => { if (s.boardShown) { loadWallboard(); } });
  // The pushes missed while the socket was away are read on the catch-up.
  store.on(['catchUp'], (s) => { if (s.boardShown) { loadWallboard(); } });
  mount.addEventListener('click', onClick);
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') { return; }
    if (store.get().wallboardMove) { cancelMove(); } else if (store.get().wallboardTV) { toggleTV(); }
  });
  document.addEventListener('fullscreenchange', () => {
    if (!document.fullscreenElement && store.get().wallboardTV) { store.set({ wallboardTV: false }); document.body.classList.remove('wb-tv-mode'); }
  });
  setInterval(tick, 1000);
}
