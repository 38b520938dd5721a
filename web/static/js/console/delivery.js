// Notifications to the citizen of the open ticket (internal/notify): each
// e-mail, SMS or WhatsApp template with its outcome (queued, sending,
// sent, delivered, failed with the reason), in the details panel. Read
// when a ticket opens; ticket.notified events from the socket update it.
//
// Store key: deliveries {ticketId, items: [rows of GET
// /api/v1/tickets/:id/notifications], loaded}.
import * as store from './store.js';
import { $, t, el, request, formatDate, cls } from './ui.js';
import { latestRead } from './actions.js';

const panel = $('delivery-mount');

// Labels by code, spelled out so every key is visible to the key check.
const ROUTES = { email: 'notify.console.route.email', sms: 'notify.console.route.sms', whatsapp: 'notify.console.route.whatsapp' };
const KINDS = {
  reply: 'notify.console.kind.reply', more_info: 'notify.console.kind.more_info', solved: 'notify.console.kind.solved',
  received: 'notify.console.kind.received',
};
const STATUSES = {
  queued: 'notify.console.status.queued', sending: 'notify.console.status.sending', sent: 'notify.console.status.sent',
  delivered: 'notify.console.status.delivered', failed: 'notify.console.status.failed',
};
const label = (map, code) => (map[code] ? t(map[code]) : String(code || ''));

// Only the latest read is shown, and a push that comes while a read is on
// its way starts another: an answer from before the push would take it
// back.
const load = latestRead((id) => request('GET', '/api/v1/tickets/' + encodeURIComponent(id) + '/notifications'), (res, _, id) => {
  if (store.get().selectedId !== id) { return; }
  const items = res.ok && res.data && Array.isArray(res.data.notifications) ? res.data.notifications : [];
  store.set({ deliveries: { ticketId: id, items, loaded: res.ok } });
});

// applyEvent takes ticket.notified from the socket.
export function applyEvent(d) {
  const id = Number(d.ticket_id) || 0;
  const cur = store.get().deliveries;
  if (!id || !cur || cur.ticketId !== id) { return; }
  const row = { id: d.delivery_id, ticket_id: id, route: d.route, kind: d.kind, status: d.status, attempts: d.attempts,
    reason: d.reason || '', updated_at: d.at };
  const old = cur.items.find((x) => x.id === row.id);
  const items = old
    ? cur.items.map((x) => (x.id === row.id ? Object.assign({}, x, row) : x))
    : [Object.assign({ created_at: d.at }, row)].concat(cur.items);
  store.set({ deliveries: { ticketId: id, items, loaded: true } });
  if (load.reading(id)) { load(id); }
}

function render(s) {
  if (!panel) { return; }
  const d = s.deliveries;
  panel.hidden = !s.selectedId;
  panel.textContent = '';
  panel.appendChild(el('h3', { 'class': 'delivery-title', id: 'delivery-title', text: t('notify.console.title') }));
  if (!d || d.ticketId !== s.selectedId || !d.items.length) {
    panel.appendChild(el('p', { 'class': 'muted', text: t('notify.console.empty') }));
    return;
  }
  const list = el('ul', { 'class': 'delivery-list', 'aria-labelledby': 'delivery-title' });
  d.items.forEach((x) => {
    const status = label(STATUSES, x.status);
    const line = el('li', { 'class': 'delivery-item' }, [
      el('span', { 'class': 'delivery-route', text: label(ROUTES, x.route) }),
      ' · ',
      el('span', { 'class': 'delivery-kind', text: label(KINDS, x.kind) }),
      ' ',
      // The status is a word, not only a colour.
      el('span', { 'class': 'badge delivery-' + cls(x.status), text: status }),
      ' ',
      el('time', { datetime: x.updated_at || '', text: x.updated_at ? formatDate(x.updated_at) : '' }),
    ]);
    if (x.attempts > 1) {
      line.appendChild(el('span', { 'class': 'muted', text: ' (' + t('notify.console.attempts', { n: x.attempts }) + ')' }));
    }
    if (x.status === 'failed' && x.reason) {
      line.appendChild(el('div', { 'class': 'delivery-reason', text: t('notify.console.reason', { reason: x.reason }) }));
    }
    list.appendChild(line);
  });
  panel.appendChild(list);
}

export function mount() {
  if (!panel) { return; }
  let loadedFor = 0;
  store.on(['selectedId'], (s) => {
    if (s.selectedId && s.selectedId !== loadedFor) {
      loadedFor = s.selectedId;
      store.set({ deliveries: { ticketId: s.selectedId, items: [], loaded: false } });
      load(s.selectedId);
    } else if (!s.selectedId) {
      loadedFor = 0;
    }
  });
  // A notice's delivery pushed while the socket was away is read on the catch-up.
  store.on(['catchUp'], (s) => { if (s.selectedId) { load(s.selectedId); } });
  store.on(['deliveries', 'selectedId'], render);
  render(store.get());
}
