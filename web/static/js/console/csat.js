// Customer satisfaction in the console: the open ticket's ratings, the agent's own average, and on
// the supervisor board the latest low ratings, updated by the csat.rated, csat.alert and
// csat.commented events. State lives in the store under "csat"; the views render from it. A rating
// always shows its number and words, never colour alone.
import * as store from './store.js';
import { request, t, el, label, errorMessage, keepFocus } from './ui.js';
import { can, showTicket, latestRead } from './actions.js';

const ticketURL = (id) => '/api/v1/tickets/' + encodeURIComponent(id) + '/csat';
// The low-rating alerts: whoever may read the reports.
const alerted = (a) => can(a, 'reports.view');
const RATING_KEYS = ['csat.rating_1', 'csat.rating_2', 'csat.rating_3', 'csat.rating_4', 'csat.rating_5'];

function ratingText(r) {
  return t('csat.console_rating', { rating: r, words: t(RATING_KEYS[r - 1] || '') });
}

function patch(p) {
  store.set({ csat: Object.assign({}, store.get().csat || {}, p) });
}

async function loadTicket(id) {
  if (!id) { patch({ ticket: null }); return; }
  const res = await request('GET', ticketURL(id));
  if (store.get().selectedId !== id) { return; }
  patch({ ticket: res.ok ? { id, ratings: res.data.ratings || [] } : { id, error: errorMessage(res), ratings: [] } });
}

async function loadMine() {
  const res = await request('GET', '/api/v1/agents/me/csat?days=30');
  if (res.ok) { patch({ mine: res.data }); }
}

// loadAlerts reads the alerts again; extra goes into the same update once
// they are read (an announcement of what changed in them). Only the latest
// read is shown: an earlier one answering last would bring back alerts
// without a comment that came in between (its announcement goes with the
// latest read).
const readAlerts = latestRead(() => request('GET', '/api/v1/csat/alerts?limit=20'), (res, extra) => {
  patch(res.ok ? Object.assign({ alerts: res.data.alerts || [], alertsError: '' }, extra) : { alertsError: errorMessage(res) });
});
function loadAlerts(extra) {
  if (alerted(store.get().agent)) { readAlerts(undefined, extra); }
}

// applyEvent takes csat.rated, csat.alert and csat.commented from the push
// socket. Neither csat.alert nor csat.commented carries the comment: a new
// alert is listed from its push at once and the alerts are read again to
// show a comment given with the rating (the live chat's card, the form)
// or one that came in before the alert's push (the events do not arrive
// in order); on csat.commented the open ticket's ratings and a listed
// alert of that ticket are read again to show it.
export function applyEvent(name, d) {
  const s = store.get();
  if (name === 'csat.rated') {
    if (s.selectedId && Number(d.ticket_id) === s.selectedId) { loadTicket(s.selectedId); }
    if (s.agent && Number(d.assignee_id) === s.agent.id) { loadMine(); }
  } else if (name === 'csat.alert' && alerted(s.agent)) {
    // An alert already listed keeps what was read with it (a comment that
    // came in meanwhile: the events do not arrive in order).
    const listed = ((s.csat && s.csat.alerts) || []);
    const had = listed.find((x) => x.id === d.alert_id);
    const alerts = listed.filter((x) => x.id !== d.alert_id);
    alerts.unshift(Object.assign({}, had, { id: d.alert_id, ticket_id: d.ticket_id, tracking_number: d.tracking_number, rating: d.rating, channel: d.channel, created_at: d.at }));
    patch({ alerts: alerts.slice(0, 20), announce: t('csat.alert_new', { tracking: d.tracking_number, rating: d.rating }) });
    loadAlerts();
  } else if (name === 'csat.commented') {
    const id = Number(d.ticket_id);
    if (s.selectedId && id === s.selectedId) { loadTicket(s.selectedId); }
    const alertID = Number(d.alert_id) || 0;
    const listed = alerted(s.agent) && ((s.csat && s.csat.alerts) || []).some((x) => (alertID !== 0 && Number(x.id) === alertID) || Number(x.ticket_id) === id);
    if (listed) { loadAlerts({ announce: t('csat.comment_new', { tracking: d.tracking_number }) }); }
  }
}

function renderTicket(s) {
  const box = document.getElementById('csat-mount');
  if (!box) { return; }
  const c = (s.csat && s.csat.ticket) || null;
  box.hidden = !c || c.id !== s.selectedId;
  if (box.hidden) { return; }
  box.replaceChildren(el('h3', { class: 'routing-title', id: 'csat-title', text: t('csat.console_title') }));
  if (c.error) { box.appendChild(el('p', { class: 'muted small', text: c.error })); return; }
  if (!c.ratings.length) {
    box.appendChild(el('p', { class: 'muted small', id: 'csat-none', text: t('csat.console_none') }));
  } else {
    box.appendChild(el('ul', { class: 'csat-ratings', id: 'csat-ratings' }, c.ratings.map((r) => el('li', {}, [
      el('strong', { text: ratingText(r.rating) }),
      r.answered_by ? ' · ' + t('csat.console_via', { channel: label('csat.by.', r.answered_by) }) : '',
      r.comment ? el('q', { class: 'csat-comment', text: r.comment }) : null,
    ]))));
  }
}

function renderMine(s) {
  const p = document.getElementById('csat-mine');
  if (!p) { return; }
  const m = s.csat && s.csat.mine;
  p.hidden = !m;
  if (!m) { return; }
  p.textContent = m.responses ? t('csat.console_mine', { average: m.average, pct: m.satisfied_pct, n: m.responses, days: m.days }) : t('csat.console_mine_none', { days: m.days });
}

function renderAlerts(s) {
  const box = document.getElementById('csat-board');
  if (!box) { return; }
  const a = s.agent;
  box.hidden = !alerted(a);
  if (box.hidden) { return; }
  const c = s.csat || {};
  const list = c.alerts || [];
  const rows = list.map((x) => el('li', {}, [
    el('a', { href: '#ticket-' + x.ticket_id, class: 'mono', 'data-csat-ticket': x.ticket_id, text: x.tracking_number }),
    ' · ' + ratingText(x.rating) + ' · ' + label('channel.', x.channel),
    x.comment ? el('q', { class: 'csat-comment', text: x.comment }) : null,
  ]));
  // Drawn again on each change (a new alert, a comment): the focus on an
  // alert's link stays on that alert's.
  keepFocus(box, () => box.replaceChildren(...[
    el('h3', { id: 'csat-board-title', text: t('csat.console_alerts') }),
    c.alertsError ? el('p', { class: 'muted small', text: c.alertsError }) : null,
    list.length ? el('ul', { id: 'csat-alerts', class: 'csat-alerts' }, rows) : el('p', { class: 'muted small', text: t('csat.console_alerts_none') }),
    el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'csat-announce', text: c.announce || '' }),
  ].filter(Boolean)), 'csat-board-title');
}

export function mount() {
  // An alert's link opens its ticket on the tickets tab, the focus in it,
  // as opening it from the list does.
  const board = document.getElementById('csat-board');
  if (board) {
    board.addEventListener('click', (ev) => {
      const a = ev.target.closest && ev.target.closest('a[data-csat-ticket]');
      if (a) { ev.preventDefault(); showTicket(Number(a.getAttribute('data-csat-ticket'))); }
    });
  }
  store.on(['selectedId'], (s) => { loadTicket(s.selectedId); });
  store.on(['agentKey'], (s) => { if (s.agent) { loadMine(); loadAlerts(); } });
  // A rating, an alert or a comment pushed while the socket was away (or
  // still connecting after sign-in) is read on the catch-up.
  store.on(['catchUp'], (s) => {
    if (!s.agent) { return; }
    loadMine();
    loadAlerts();
    if (s.selectedId) { loadTicket(s.selectedId); }
  });
  store.on(['csat', 'selectedId', 'agent'], (s) => { renderTicket(s); renderMine(s); renderAlerts(s); });
}
