// The queue board, for supervisors and admins only: one row per queue
// with its waiting tickets, oldest wait, agents and the share of tickets
// within SLA over the last week. It moves with the socket's queue.metrics
// events; "Muat ulang" reads it again, and while the socket is down it is
// re-read with the rest of the screen every minute (socket.js). For an
// agent it stays hidden and never calls the queue APIs (the server
// refuses them too). A role without reports but with screens of its own
// on the tab (admin, complaints…) gets the tab without the queue board.
import * as store from './store.js';
import { $, t, el, setText, formatDate, lang } from './ui.js';
import { loadBoard, mayBoard, mayBoardScreens } from './actions.js';
import { POLL_MS } from './socket.js';

// A queue whose share of tickets within SLA is below this is marked.
const SLA_TARGET_PERCENT = 80;
const view = $('board-view');
const queuesPart = $('board-queues');
const tabs = $('console-tabs');
const panel = $('tickets-panel');
const tabTickets = $('tab-tickets');
const tabBoard = $('tab-board');
const rows = $('board-rows');
let pctFmt = null;
try { pctFmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }); } catch (e) { pctFmt = null; }

function waitText(seconds, waiting) {
  if (!waiting) { return '—'; }
  const s = Math.max(0, Math.floor(seconds || 0));
  if (s < 60) { return t('board.seconds', { n: s }); }
  const m = Math.floor(s / 60);
  if (m < 60) { return t('board.minutes', { n: m }); }
  const h = Math.floor(m / 60);
  if (h < 24) { return t('board.hours', { h, m: m % 60 }); }
  return t('board.days', { d: Math.floor(h / 24), h: h % 24 });
}

function percentText(p) {
  return t('board.percent', { value: pctFmt ? pctFmt.format(p) : String(Math.round(p * 10) / 10) });
}

// flags lists why a queue needs attention, as texts.
function flags(q, sla) {
  const out = [];
  if (q.overflow_after_seconds > 0 && q.waiting > 0 && q.oldest_wait_seconds >= q.overflow_after_seconds) {
    out.push(t('board.flag_overflow'));
  }
  if (sla && sla.tickets > 0 && sla.percent < SLA_TARGET_PERCENT) {
    out.push(t('board.flag_sla', { percent: SLA_TARGET_PERCENT }));
  }
  return out;
}

const cell = (c, text) => el('td', { 'class': c, text });

function render(s) {
  const b = s.board;
  const queues = b.queues || [];
  rows.textContent = '';
  queues.forEach((q) => {
    const sla = b.sla[q.queue_id];
    const marks = flags(q, sla);
    const name = [el('span', { 'class': 'board-name', text: q.name || q.queue })];
    if (q.name && q.name !== q.queue) { name.push(' ', el('span', { 'class': 'mono muted small', text: q.queue })); }
    if (!q.open) { name.push(' ', el('span', { 'class': 'badge badge-plain board-closed', text: t('board.closed') })); }
    rows.appendChild(el('tr', { 'class': marks.length ? 'board-row board-alert' : 'board-row', 'data-queue': q.queue }, [
      el('th', { scope: 'row' }, name),
      cell('num board-waiting', String(q.waiting || 0)),
      cell('num board-oldest', waitText(q.oldest_wait_seconds, q.waiting)),
      cell('num board-online', String(q.agents_online || 0)),
      cell('num board-available', String(q.agents_available || 0)),
      cell('num board-busy', String(q.agents_busy || 0)),
      cell('num board-sla', sla && sla.tickets > 0 ? percentText(sla.percent) : '—'),
      marks.length
        ? el('td', { 'class': 'board-flag' }, marks.map((m) => el('span', { 'class': 'board-mark', text: m })))
        : cell('board-flag board-flag-none', t('board.flag_none')),
    ]));
  });
  $('board-empty').hidden = !b.queues || queues.length > 0;
  let status = '';
  if (b.error) {
    status = b.queues ? t('board.stale', { error: b.error, time: formatDate(b.at) }) : t('board.load_failed', { error: b.error });
  } else if (b.loading && !b.queues) {
    status = t('board.loading');
  }
  const box = $('board-status');
  box.textContent = status;
  box.classList.toggle('board-status-problem', !!b.error);
  setText('board-updated', b.at ? t('board.updated_at', { time: formatDate(b.at) }) : '');
  if (b.loading) { view.setAttribute('aria-busy', 'true'); } else { view.removeAttribute('aria-busy'); }
}

function renderIntro(s) {
  setText('board-intro', s.socket === 'open' ? t('board.intro_live') : t('board.intro', { seconds: POLL_MS / 1000 }));
}

function renderTabs(s) {
  const queues = mayBoard(s.agent) && !s.board.forbidden;
  const may = queues || mayBoardScreens(s.agent);
  tabs.hidden = !may;
  queuesPart.hidden = !queues;
  // Without the queue board the tab holds only other screens (accounts,
  // complaints…): it is not named after the queues.
  setText('tab-board', t(queues ? 'board.tab_queues' : 'board.tab_manage'));
  const board = may && s.boardShown;
  if (may) {
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', 'tab-tickets');
  } else {
    panel.removeAttribute('role');
    panel.removeAttribute('aria-labelledby');
  }
  tabBoard.setAttribute('aria-selected', board ? 'true' : 'false');
  tabTickets.setAttribute('aria-selected', board ? 'false' : 'true');
  tabBoard.tabIndex = board ? 0 : -1;
  tabTickets.tabIndex = board ? -1 : 0;
  view.hidden = !board;
  panel.hidden = board;
}

function select(board, focus) {
  store.set({ boardShown: board });
  if (focus) { (board ? tabBoard : tabTickets).focus(); }
  if (board) { loadBoard(); }
}

export function mount() {
  setText('board-legend', t('board.legend', { percent: SLA_TARGET_PERCENT }));
  store.on(['board'], render);
  store.on(['socket'], renderIntro);
  store.on(['agent', 'boardShown', 'board'], renderTabs);
  renderIntro(store.get());
  store.on(['agent'], (s) => {
    if (!mayBoard(s.agent)) {
      store.set({ boardShown: s.boardShown && mayBoardScreens(s.agent), board: { queues: null, sla: {}, at: '', error: '', loading: false } });
    }
  });
  $('board-refresh').addEventListener('click', loadBoard);
  tabTickets.addEventListener('click', () => select(false, false));
  tabBoard.addEventListener('click', () => select(true, false));
  tabs.addEventListener('keydown', (ev) => {
    let board;
    switch (ev.key) {
      case 'ArrowLeft': case 'ArrowRight': board = tabTickets.getAttribute('aria-selected') === 'true'; break;
      case 'Home': board = false; break;
      case 'End': board = true; break;
      default: return;
    }
    ev.preventDefault();
    select(board, true);
  });
}
