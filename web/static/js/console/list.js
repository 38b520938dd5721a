// The ticket list: filters, one button per ticket (subject, status,
// citizen, tracking number, channel and queue, last activity), the unread
// count, SLA marks and the manual refresh. Arrow keys, Home and End move
// between tickets.
import * as store from './store.js';
import { $, t, el, label, setText, showAlert, shortTime, formatDate, subjectOf, cls, sayIn } from './ui.js';
import { loadList, openTicket, refreshOnScreen } from './actions.js';
import { chips } from './tags.js';
import { box } from './bulk.js';
import { keep, kept, forget } from './kept.js';

const list = $('ticket-list');
// beside: the ticket listed after the open one (else before it) when the
// open one was last in the list, to take the focus should it leave.
let beside = { id: 0, next: 0 };

function item(tk, s) {
  const id = String(tk.id);
  const unread = s.settings.unread ? (s.unread[tk.id] || 0) : 0;
  const mark = s.slaMarks[tk.id];
  const top = [
    el('span', { 'class': 'ticket-subject', text: subjectOf(tk), title: subjectOf(tk) }),
    el('span', { 'class': 'badge badge-' + cls(tk.status), text: label('ticket_status.', tk.status) }),
  ];
  const marks = [];
  if (unread) {
    marks.push(el('span', { 'class': 'unread', text: t('console.unread', { n: unread }) }));
  }
  if (mark) {
    marks.push(el('span', { 'class': 'badge sla-' + cls(mark), text: label('sla_state.', mark) }));
  }
  // Urgent and high tickets say so in the list, in words and with a mark
  // (not by colour alone), so they stand out while scanning it.
  if (tk.priority === 'urgent' || tk.priority === 'high') {
    marks.unshift(el('span', { 'class': 'badge badge-priority-' + tk.priority, text: label('priority.', tk.priority) }));
  }
  const when = tk.last_message_at || tk.updated_at;
  const btn = el('button', {
    type: 'button',
    'class': 'ticket-item' + (unread ? ' has-unread' : ''),
    'data-ticket-id': id,
    'aria-current': s.selectedId === tk.id ? 'true' : null,
  }, [
    el('span', { 'class': 'ticket-item-top' }, top),
    el('span', { 'class': 'ticket-item-meta' }, [
      // A ticket that arrived by an event may lack the name until the
      // next read; the citizen's last words (masked) stand in, quoted so
      // they do not read as a name. A citizen without a name (an
      // anonymous complaint) is said to be one.
      el('span', { 'class': 'ticket-contact', text: tk.contact_name || (tk.preview ? t('console.preview_quoted', { text: tk.preview }) : t('contact.no_name')) }),
      el('span', { 'class': 'mono', text: tk.tracking_number || '' }),
    ]),
    el('span', { 'class': 'ticket-item-meta' }, [
      el('span', { text: label('channel.', tk.channel) + (tk.queue ? ' · ' + tk.queue : '') }),
      el('time', { datetime: when || null, title: formatDate(when), text: shortTime(when) }),
    ]),
    marks.length ? el('span', { 'class': 'ticket-item-marks' }, marks) : null,
    chips(tk.id, s),
  ]);
  btn.addEventListener('click', () => select(tk.id, true));
  return el('li', { 'class': 'ticket-row' }, [box(tk, s), btn]);
}

// render draws the list again; the focused ticket (its button or its
// bulk checkbox) keeps the focus.
function render(s) {
  const a = document.activeElement && list.contains(document.activeElement) ? document.activeElement : null;
  const focused = !a ? null : a.dataset.ticketId ? '.ticket-item[data-ticket-id="' + CSS.escape(a.dataset.ticketId) + '"]'
    : a.dataset.bulkId ? '.bulk-check[data-bulk-id="' + CSS.escape(a.dataset.bulkId) + '"]' : null;
  list.textContent = '';
  s.tickets.forEach((tk) => list.appendChild(item(tk, s)));
  const i = s.tickets.findIndex((x) => x.id === s.selectedId);
  if (i >= 0) {
    const n = s.tickets[i + 1] || s.tickets[i - 1];
    beside = { id: s.selectedId, next: n ? n.id : 0 };
  }
  $('list-empty').hidden = s.tickets.length > 0 || !s.listAt;
  if (focused) {
    const again = list.querySelector(focused);
    if (again) { again.focus(); }
  }
}

function renderMeta(s) {
  setText('list-updated', s.listAt ? t('console.updated_at', { time: formatDate(s.listAt) }) : '');
  showAlert($('console-alert'), s.listError, false);
}

// The open ticket left the agent's sight and was closed (ticketLeft,
// actions.leaveTicket). The focus, if it was on that ticket (its thread,
// its details) or went with it, goes to the ticket that was listed after
// it (or before it: a push may have taken it from the list first), else
// to the list's heading; then the list says why.
// Once the rest of the screen has followed the change (on a phone the
// list is shown again), so the focus lands on what is on screen and the
// reason is said after the move, not cut short by it.
const onTicket = (n) => !n || n === document.body || !n.isConnected || $('ticket-pane').contains(n) || $('details-pane').contains(n);

function renderLeft(s) {
  const left = s.ticketLeft;
  if (!left) { sayIn('list-status', '', false); return; }
  const lost = onTicket(document.activeElement);
  queueMicrotask(() => {
    if (store.get().ticketLeft !== left) { return; }
    if (lost && onTicket(document.activeElement)) {
      const next = beside.id === left.id ? beside.next : 0;
      const row = next ? list.querySelector('.ticket-item[data-ticket-id="' + next + '"]') : null;
      (row && row.getClientRects().length ? row : $('tickets-title')).focus();
    }
    sayIn('list-status', left.text, false);
  });
}

// select opens a ticket from the list; the address keeps it, so a reload
// opens it again.
export function select(id, focus) {
  if (location.hash !== '#ticket-' + id) { history.replaceState(null, '', '#ticket-' + id); }
  store.set({ focusThread: focus ? id : 0 });
  openTicket(id);
}

// The list's scope and status filter stay through a reload: an agent who
// works "Antrean saya · Menunggu" and presses F5 is shown that list again.
// Another agent signing in on the tab starts from the defaults.
const KEPT_LIST = 'tanggap.list-view';
const offered = (id, v) => Array.from($(id).options).some((o) => o.value === v);

function restoreListView(s) {
  const v = kept(KEPT_LIST, s.agent.id) || {};
  const scope = typeof v.scope === 'string' && offered('scope', v.scope) ? v.scope : 'mine';
  const status = typeof v.status === 'string' && offered('status-filter', v.status) ? v.status : '';
  $('scope').value = scope;
  $('status-filter').value = status;
  store.set({ scope, statusFilter: status });
}

export function mount() {
  // Before the list is read on a sign-in (main.js reads it once the
  // agent is known, after agentKey has changed).
  store.on(['agentKey'], (s) => { if (s.agent) { restoreListView(s); } else { forget(KEPT_LIST); } });
  store.on(['scope', 'statusFilter'], (s) => { if (s.agent) { keep(KEPT_LIST, s.agent.id, { scope: s.scope, status: s.statusFilter }); } });
  store.on(['tickets', 'selectedId', 'unread', 'slaMarks', 'settings', 'ticketTags'], render);
  store.on(['listAt', 'listError'], renderMeta);
  store.on(['ticketLeft'], renderLeft);
  // What the list said of a ticket that left holds until another opens.
  store.on(['selectedId'], (s) => { if (s.selectedId && s.ticketLeft) { store.set({ ticketLeft: null }); } });
  $('scope').addEventListener('change', () => {
    store.set({ scope: $('scope').value });
    loadList();
  });
  $('status-filter').addEventListener('change', () => {
    store.set({ statusFilter: $('status-filter').value });
    loadList();
  });
  $('refresh-btn').addEventListener('click', refreshOnScreen);
  list.addEventListener('keydown', (ev) => {
    const items = Array.from(list.querySelectorAll('.ticket-item'));
    const i = items.indexOf(document.activeElement);
    if (i < 0) { return; }
    let next = -1;
    switch (ev.key) {
      case 'ArrowDown': next = Math.min(items.length - 1, i + 1); break;
      case 'ArrowUp': next = Math.max(0, i - 1); break;
      case 'Home': next = 0; break;
      case 'End': next = items.length - 1; break;
      default: return;
    }
    ev.preventDefault();
    items[next].focus();
  });
}
