// Search and views: the one search box (GET /api/v1/search), its results,
// more filters of the ticket list (store key listFilters, sent by
// loadList), and saved views (/api/v1/views) with live counts.
//
// Counts stay cheap: they are read in one request for all views
// (/api/v1/views/counts, served from a short shared cache on the server),
// at most once per COUNTS_MS after the list changes by socket events,
// never per event. A filtered list changed by an event is re-read from the
// server (at most once per REFILTER_MS), since an event cannot tell whether
// a ticket still matches the filters.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, label, setText, errorMessage, fieldErrors, shortTime, formatDate, subjectOf, cls } from './ui.js';
import { loadList, can } from './actions.js';
import { select } from './list.js';
import { keep, kept, forget } from './kept.js';

const COUNTS_MS = 3000;
const REFILTER_MS = 1500;
const FILTER_FIELDS = ['channel', 'priority', 'sla', 'assignee', 'queue_id', 'category', 'province', 'tag', 'wrapup', 'from', 'to'];
const KEPT_FILTERS = 'tanggap.list-filters';

// ---- search ----

let searchSeq = 0;

async function runSearch(q, offset) {
  const seq = ++searchSeq;
  const prev = store.get().search;
  store.set({ search: { q, results: offset ? prev.results : [], next: 0, older: false, loading: true, error: '' } });
  const res = await api.search(q, offset);
  if (seq !== searchSeq) { return; }
  if (!res.ok) {
    store.set({ search: { q, results: offset ? prev.results : [], next: 0, older: false, loading: false, error: errorMessage(res) } });
    return;
  }
  const got = (res.data && res.data.results) || [];
  store.set({ search: { q, results: (offset ? prev.results : []).concat(got), next: res.data.next_offset || 0, older: !!res.data.older, loading: false, error: '' } });
}

function matchText(m) {
  const what = label('search.field.', m.field) + (m.value ? ' ' + m.value : '');
  return t('search.matched', { what });
}

function resultItem(r) {
  const tk = r.ticket;
  const when = tk.last_message_at || tk.updated_at;
  const matches = (r.matches || []).map((m) => el('span', { 'class': 'search-match' }, [
    el('span', { text: matchText(m) }),
    m.snippet ? el('span', { 'class': 'search-match-snippet', text: ': ' + m.snippet }) : null,
  ]));
  const btn = el('button', { type: 'button', 'class': 'ticket-item', 'data-ticket-id': String(tk.id) }, [
    el('span', { 'class': 'ticket-item-top' }, [
      el('span', { 'class': 'ticket-subject', text: subjectOf(tk) }),
      el('span', { 'class': 'badge badge-' + cls(tk.status), text: label('ticket_status.', tk.status) }),
    ]),
    el('span', { 'class': 'ticket-item-meta' }, [
      el('span', { 'class': 'ticket-contact', text: tk.contact_name || '' }),
      el('span', { 'class': 'mono', text: tk.tracking_number || '' }),
    ]),
    el('span', { 'class': 'ticket-item-meta' }, [
      el('span', { text: label('channel.', tk.channel) + (tk.queue ? ' · ' + tk.queue : '') }),
      el('time', { datetime: when || null, title: formatDate(when), text: shortTime(when) }),
    ]),
  ].concat(matches));
  btn.addEventListener('click', () => select(tk.id, true));
  return el('li', null, [btn]);
}

function renderSearch(s) {
  const sr = s.search;
  const box = $('search-results');
  box.hidden = !sr.q;
  if (!sr.q) { return; }
  const list = $('search-list');
  list.textContent = '';
  sr.results.forEach((r) => list.appendChild(resultItem(r)));
  let status;
  if (sr.loading) {
    status = t('search.searching');
  } else if (sr.error) {
    status = sr.error;
  } else if (!sr.results.length) {
    // older: only the newest tickets were searched for a very common word.
    status = t(sr.older ? 'search.none_older' : 'search.none', { q: sr.q });
  } else {
    status = t(sr.older ? 'search.count_older' : sr.next ? 'search.count_more' : 'search.count', { n: sr.results.length, q: sr.q });
  }
  setText('search-status', status);
  $('search-more').hidden = !sr.next || sr.loading;
}

function closeSearch() {
  searchSeq++;
  store.set({ search: { q: '', results: [], next: 0, older: false, loading: false, error: '' } });
  $('search-input').value = '';
  $('search-input').focus();
}

// ---- filters ----

function readFilters() {
  const f = {};
  FILTER_FIELDS.forEach((k) => {
    const v = $('f-' + (k === 'queue_id' ? 'queue' : k)).value.trim();
    if (v) { f[k] = v; }
  });
  return f;
}

function writeFilters(f) {
  FILTER_FIELDS.forEach((k) => {
    const n = $('f-' + (k === 'queue_id' ? 'queue' : k));
    let v = f[k] === undefined || f[k] === null ? '' : String(f[k]);
    if ((k === 'from' || k === 'to') && v) { v = v.slice(0, 10); }
    if (n.tagName === 'SELECT' && v && !Array.from(n.options).some((o) => o.value === v)) {
      n.appendChild(el('option', { value: v, text: v }));
    }
    n.value = v;
  });
}

function applyFilters(f, viewId) {
  store.set({ listFilters: f, activeView: viewId || 0 });
  loadList();
}

function renderFilterSummary(s) {
  const n = Object.keys(s.listFilters).length;
  setText('more-filters-summary', t('filters.more') + (n ? ' · ' + t('filters.active', { n }) : ''));
}

function renderQueues(s) {
  const sel = $('f-queue');
  const keep = sel.value;
  Array.from(sel.options).slice(1).forEach((o) => o.remove());
  (s.targets.queues || []).forEach((q) => sel.appendChild(el('option', { value: String(q.id), text: q.name })));
  sel.value = keep;
}

// ---- views ----

async function loadViews() {
  const res = await api.views();
  if (!res.ok) { return; }
  store.set({ views: (res.data && res.data.views) || [] });
  loadCounts();
}

let countsTimer = null;
let countsAt = 0;

async function loadCounts() {
  countsAt = Date.now();
  if (!store.get().views.length) { return; }
  const res = await api.viewCounts();
  if (!res.ok || !res.data) { return; }
  store.set({ viewCounts: { counts: res.data.counts || {}, cap: res.data.cap || 0 } });
}

// countsSoon reads the counts once the events of a burst have landed.
function countsSoon() {
  if (countsTimer || !store.get().views.length) { return; }
  const wait = Math.max(COUNTS_MS - (Date.now() - countsAt), 250);
  countsTimer = setTimeout(() => { countsTimer = null; loadCounts(); }, wait);
}

let refilterTimer = null;
function refilterSoon() {
  if (refilterTimer || !Object.keys(store.get().listFilters).length) { return; }
  refilterTimer = setTimeout(() => { refilterTimer = null; loadList(); }, REFILTER_MS);
}

function countText(v, s) {
  const c = s.viewCounts.counts[String(v.id)];
  if (c === undefined) { return null; }
  const cap = s.viewCounts.cap;
  return { shown: cap && c >= cap ? cap + '+' : String(c), spoken: cap && c >= cap ? t('views.count_cap', { n: cap }) : t('views.count', { n: c }) };
}

function viewItem(v, s) {
  const count = countText(v, s);
  const on = s.activeView === v.id;
  const btn = el('button', { type: 'button', 'class': 'view-btn', 'aria-pressed': on ? 'true' : 'false', 'data-view-id': String(v.id) }, [
    el('span', { 'class': 'view-name', text: v.name }),
    v.shared ? el('span', { 'class': 'view-shared', text: '(' + t('views.shared') + ')' }) : null,
    count ? el('span', { 'class': 'view-count', 'aria-hidden': 'true', text: count.shown }) : null,
    count ? el('span', { 'class': 'visually-hidden', text: ', ' + count.spoken }) : null,
  ]);
  btn.addEventListener('click', () => {
    if (on) {
      writeFilters({});
      applyFilters({}, 0);
      return;
    }
    const f = Object.assign({}, v.filters || {});
    if (f.scope) { store.set({ scope: f.scope }); $('scope').value = f.scope; }
    const status = f.status === 'active' ? '' : (f.status || '');
    store.set({ statusFilter: status });
    $('status-filter').value = status;
    delete f.scope; delete f.status;
    if (f.queue_id) { f.queue_id = String(f.queue_id); }
    writeFilters(f);
    applyFilters(readFilters(), v.id);
  });
  const parts = [btn];
  if (v.editable) {
    const del = el('button', { type: 'button', 'class': 'view-del', 'aria-label': t('views.delete', { name: v.name }), title: t('views.delete', { name: v.name }), text: '×' });
    del.addEventListener('click', async () => {
      const res = await api.deleteView(v.id);
      if (!res.ok) { setText('views-status', errorMessage(res)); return; }
      setText('views-status', t('views.deleted', { name: v.name }));
      if (store.get().activeView === v.id) { store.set({ activeView: 0 }); }
      loadViews();
      $('search-input').focus();
    });
    parts.push(del);
  }
  return el('li', null, parts);
}

function renderViews(s) {
  const list = $('views-list');
  const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.viewId : null;
  list.textContent = '';
  s.views.forEach((v) => list.appendChild(viewItem(v, s)));
  // No views yet: the list comes first (saving one is under "more filters").
  $('views-nav').hidden = s.views.length === 0;
  if (focused) {
    const again = list.querySelector('[data-view-id="' + CSS.escape(focused) + '"]');
    if (again) { again.focus(); }
  }
}

async function saveView(ev) {
  ev.preventDefault();
  const s = store.get();
  const name = $('view-name').value.trim();
  const err = $('view-name-error');
  err.hidden = true;
  const filters = Object.assign({ scope: s.scope, status: s.statusFilter || 'active' }, readFilters());
  if (filters.queue_id) { filters.queue_id = Number(filters.queue_id); }
  if (filters.from) { filters.from = filters.from + 'T00:00:00Z'; }
  if (filters.to) { filters.to = filters.to + 'T00:00:00Z'; }
  const res = await api.createView({ name, shared: $('view-shared').checked, filters });
  if (!res.ok) {
    const fields = fieldErrors(res);
    const msg = (fields && (fields.name || Object.values(fields)[0])) || errorMessage(res);
    err.textContent = msg;
    err.hidden = false;
    $('view-name').setAttribute('aria-invalid', 'true');
    $('view-name').focus();
    return;
  }
  $('view-name').removeAttribute('aria-invalid');
  $('view-name').value = '';
  $('more-filters').open = false;
  setText('views-status', t('views.saved', { name: res.data.view.name }));
  store.set({ activeView: res.data.view.id });
  loadViews();
}

export function mount() {
  store.on(['search'], renderSearch);
  store.on(['views', 'viewCounts', 'activeView'], renderViews);
  store.on(['listFilters'], renderFilterSummary);
  store.on(['listFilters', 'activeView'], (s) => {
    if (s.agent) { keep(KEPT_FILTERS, s.agent.id, { filters: s.listFilters, view: s.activeView }); }
  });
  store.on(['targets'], renderQueues);
  store.on(['tickets'], () => { countsSoon(); refilterSoon(); });
  store.on(['catchUp'], (s) => { if (s.agent) { countsSoon(); } });
  store.on(['agentKey'], (s) => {
    $('view-shared-label').hidden = !can(s.agent, 'tickets.all');
    if (s.agent) {
      // The more filters and the view they came from stay through a
      // reload, as the scope does (list.js); main.js reads the list next.
      const v = kept(KEPT_FILTERS, s.agent.id) || {};
      const f = {};
      if (v.filters && typeof v.filters === 'object') {
        FILTER_FIELDS.forEach((k) => { if (typeof v.filters[k] === 'string' && v.filters[k]) { f[k] = v.filters[k]; } });
      }
      writeFilters(f);
      store.set({ listFilters: readFilters(), activeView: Number(v.view) || 0 });
      loadViews();
      return;
    }
    searchSeq++;
    forget(KEPT_FILTERS);
    writeFilters({});
    $('search-input').value = '';
    store.set({ views: [], viewCounts: { counts: {}, cap: 0 }, activeView: 0, listFilters: {}, search: { q: '', results: [], next: 0, older: false, loading: false, error: '' } });
  });
  $('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = $('search-input').value.trim();
    if (!q) { closeSearch(); return; }
    runSearch(q, 0);
  });
  $('search-more').addEventListener('click', () => {
    const sr = store.get().search;
    if (sr.next) { runSearch(sr.q, sr.next); }
  });
  $('search-close').addEventListener('click', closeSearch);
  $('search-input').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && store.get().search.q) { ev.preventDefault(); closeSearch(); }
  });
  // "/" anywhere outside a text field goes to the search box.
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    const a = document.activeElement;
    if (a && (a.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName))) { return; }
    if (!store.get().agent || $('console-view').hidden) { return; }
    ev.preventDefault();
    $('search-input').focus();
  });
  // Escape folds the filters away again, back on their summary, as the
  // console's other panels do.
  $('more-filters').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && ev.currentTarget.open) {
      ev.preventDefault();
      ev.currentTarget.open = false;
      $('more-filters-summary').focus();
    }
  });
  $('filters-form').addEventListener('submit', (ev) => { ev.preventDefault(); applyFilters(readFilters(), 0); });
  $('filters-reset').addEventListener('click', () => { writeFilters({}); applyFilters({}, 0); });
  $('view-save').addEventListener('submit', saveView);
}
