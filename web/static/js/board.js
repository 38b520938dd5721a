// Console queue board, for supervisors and admins only: one row per queue
// with its waiting tickets, oldest wait, agents and the share of tickets
// within SLA over the last week. It sits beside console.js, which tells it
// who signed in (the tanggap:agent event and T.agent); for an agent it
// stays hidden and never calls the queue APIs (the server refuses them
// too). While the board is shown and the browser tab is visible it is
// re-read every REFRESH_MS; a failed read keeps the last rows and says so.
document.addEventListener('DOMContentLoaded', function () {
  'use strict';

  var T = window.Tanggap;
  if (!T) { return; }
  var t = T.t;
  var $ = function (id) { return document.getElementById(id); };
  var view = $('board-view');
  var tabs = $('console-tabs');
  var ticketsPanel = $('tickets-panel');
  if (!view || !tabs || !ticketsPanel) { return; }

  var REFRESH_MS = 10000;
  var SLA_DAYS = 7;
  // A queue whose share of tickets within SLA is below this is marked.
  var SLA_TARGET_PERCENT = 80;
  var BOARD_ROLES = ['supervisor', 'admin'];

  var tabTickets = $('tab-tickets');
  var tabBoard = $('tab-board');
  var rows = $('board-rows');
  var pctFmt;
  try {
    pctFmt = new Intl.NumberFormat(T.lang, { maximumFractionDigits: 1 });
  } catch (e) {
    pctFmt = null;
  }

  var state = {
    enabled: false,
    timer: null,
    loading: false,
    // Bumped when the board is turned off, so a read still in flight for
    // a signed-out supervisor is dropped.
    gen: 0,
    queues: null, // last metrics read
    sla: {},      // last SLA report, by queue id
    updatedAt: null
  };

  T.setText('board-intro', t('board.intro', { seconds: REFRESH_MS / 1000 }));
  T.setText('board-legend', t('board.legend', { percent: SLA_TARGET_PERCENT }));

  // ---- formatting ----

  function waitText(seconds, waiting) {
    if (!waiting) { return '—'; }
    var s = Math.max(0, Math.floor(seconds || 0));
    if (s < 60) { return t('board.seconds', { n: s }); }
    var m = Math.floor(s / 60);
    if (m < 60) { return t('board.minutes', { n: m }); }
    var h = Math.floor(m / 60);
    if (h < 24) { return t('board.hours', { h: h, m: m % 60 }); }
    return t('board.days', { d: Math.floor(h / 24), h: h % 24 });
  }

  function percentText(p) {
    var v = pctFmt ? pctFmt.format(p) : String(Math.round(p * 10) / 10);
    return t('board.percent', { value: v });
  }

  // flags lists why a queue needs attention, as texts.
  function flags(q, sla) {
    var out = [];
    if (q.overflow_after_seconds > 0 && q.waiting > 0 && q.oldest_wait_seconds >= q.overflow_after_seconds) {
      out.push(t('board.flag_overflow'));
    }
    if (sla && sla.tickets > 0 && sla.percent < SLA_TARGET_PERCENT) {
      out.push(t('board.flag_sla', { percent: SLA_TARGET_PERCENT }));
    }
    return out;
  }

  // ---- rendering ----

  function cell(cls, text) {
    return T.el('td', { 'class': cls, text: text });
  }

  function render() {
    var queues = state.queues || [];
    rows.textContent = '';
    queues.forEach(function (q) {
      var sla = state.sla[q.queue_id];
      var marks = flags(q, sla);
      var name = [T.el('span', { 'class': 'board-name', text: q.name || q.queue })];
      if (q.name && q.name !== q.queue) {
        name.push(' ', T.el('span', { 'class': 'mono muted small', text: q.queue }));
      }
      if (!q.open) {
        name.push(' ', T.el('span', { 'class': 'badge badge-plain board-closed', text: t('board.closed') }));
      }
      rows.appendChild(T.el('tr', {
        'class': marks.length ? 'board-row board-alert' : 'board-row',
        'data-queue': q.queue
      }, [
        T.el('th', { scope: 'row' }, name),
        cell('num board-waiting', String(q.waiting || 0)),
        cell('num board-oldest', waitText(q.oldest_wait_seconds, q.waiting)),
        cell('num board-online', String(q.agents_online || 0)),
        cell('num board-available', String(q.agents_available || 0)),
        cell('num board-busy', String(q.agents_busy || 0)),
        cell('num board-sla', sla && sla.tickets > 0 ? percentText(sla.percent) : '—'),
        marks.length
          ? T.el('td', { 'class': 'board-flag' }, marks.map(function (m) { return T.el('span', { 'class': 'board-mark', text: m }); }))
          : cell('board-flag board-flag-none', t('board.flag_none'))
      ]));
    });
    $('board-empty').hidden = !state.queues || queues.length > 0;
  }

  function showStatus(text, problem) {
    var box = $('board-status');
    box.textContent = text || '';
    box.classList.toggle('board-status-problem', !!problem);
  }

  // ---- reading ----

  async function load() {
    if (!state.enabled || state.loading) { return; }
    state.loading = true;
    var gen = state.gen;
    if (!state.queues) { showStatus(t('board.loading'), false); }
    // The button stays usable (and keeps focus) during a read.
    view.setAttribute('aria-busy', 'true');
    var both = await Promise.all([
      T.api('GET', '/api/v1/queues/metrics'),
      T.api('GET', '/api/v1/queues/sla?days=' + SLA_DAYS)
    ]);
    view.removeAttribute('aria-busy');
    state.loading = false;
    if (gen !== state.gen) { return; } // signed out meanwhile
    var metrics = both[0];
    var report = both[1];
    var ok = metrics.ok && metrics.data && Array.isArray(metrics.data.queues) &&
      report.ok && report.data && Array.isArray(report.data.queues);
    if (!ok) {
      var failed = metrics.ok ? report : metrics;
      if (failed.status === 403) { disable(); return; }
      if (state.queues) {
        showStatus(t('board.stale', { error: T.errorMessage(failed), time: T.formatDate(state.updatedAt) }), true);
      } else {
        showStatus(t('board.load_failed', { error: T.errorMessage(failed) }), true);
      }
      return;
    }
    state.queues = metrics.data.queues;
    state.sla = {};
    report.data.queues.forEach(function (r) { state.sla[r.queue_id] = r; });
    state.updatedAt = new Date().toISOString();
    render();
    showStatus('', false);
    T.setText('board-updated', t('board.updated_at', { time: T.formatDate(state.updatedAt) }));
  }

  // ---- refresh loop: only while the board is shown and the tab visible ----

  function shown() {
    return state.enabled && !view.hidden && document.visibilityState === 'visible';
  }

  function stop() {
    if (state.timer) { clearTimeout(state.timer); state.timer = null; }
  }

  function schedule() {
    stop();
    if (!shown()) { return; }
    state.timer = setTimeout(async function () {
      state.timer = null;
      if (!shown()) { return; }
      await load();
      schedule();
    }, REFRESH_MS);
  }

  async function refreshNow() {
    stop();
    await load();
    schedule();
  }

  document.addEventListener('visibilitychange', function () {
    if (shown()) { refreshNow(); } else { stop(); }
  });
  $('board-refresh').addEventListener('click', refreshNow);

  // ---- tabs ----

  function select(board, focus) {
    tabBoard.setAttribute('aria-selected', board ? 'true' : 'false');
    tabTickets.setAttribute('aria-selected', board ? 'false' : 'true');
    tabBoard.tabIndex = board ? 0 : -1;
    tabTickets.tabIndex = board ? -1 : 0;
    view.hidden = !board;
    ticketsPanel.hidden = board;
    if (focus) { (board ? tabBoard : tabTickets).focus(); }
    if (board) { refreshNow(); } else { stop(); }
  }

  tabTickets.addEventListener('click', function () { select(false, false); });
  tabBoard.addEventListener('click', function () { select(true, false); });
  tabs.addEventListener('keydown', function (ev) {
    var board;
    switch (ev.key) {
      case 'ArrowLeft': case 'ArrowRight': board = tabTickets.getAttribute('aria-selected') === 'true'; break;
      case 'Home': board = false; break;
      case 'End': board = true; break;
      default: return;
    }
    ev.preventDefault();
    select(board, true);
  });

  // ---- who may see it ----

  function enable() {
    if (state.enabled) { return; }
    state.enabled = true;
    tabs.hidden = false;
    ticketsPanel.setAttribute('role', 'tabpanel');
    ticketsPanel.setAttribute('aria-labelledby', 'tab-tickets');
  }

  function disable() {
    state.gen++;
    state.enabled = false;
    stop();
    select(false, false);
    tabs.hidden = true;
    ticketsPanel.removeAttribute('role');
    ticketsPanel.removeAttribute('aria-labelledby');
    state.queues = null;
    state.sla = {};
    state.updatedAt = null;
    rows.textContent = '';
    showStatus('', false);
    T.setText('board-updated', '');
  }

  function follow(agent) {
    if (agent && BOARD_ROLES.indexOf(agent.role) >= 0) { enable(); } else { disable(); }
  }

  document.addEventListener('tanggap:agent', function (ev) { follow(ev.detail); });
  follow(T.agent || null);
});
