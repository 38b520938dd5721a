// Reports for supervisors and admins: a section of the queue board tab.
// Pick a report, a date range and a grouping; the chart is an SVG the
// server draws (GET /api/v1/reports/:name?format=svg, no chart library
// here), the table beside it carries every figure of the period and of the
// previous one, and links download the report's CSV, the per-ticket CSV
// and the printable monthly report. State lives in the store under
// "reports": {name, from, to, group, result, loading, error}.
import * as store from './store.js';
import { request, $, t, label, el, setText, errorMessage, formatDate, number } from './ui.js';
import { mayBoard } from './actions.js';

const section = $('reports-mount');
const NAMES = ['volume', 'first_response', 'response', 'handle_time', 'resolution', 'reopen', 'transfers', 'sla',
  'abandonment', 'wrapup', 'agents', 'queues', 'complaints', 'csat'];
// The complaint-handling report (GET /api/v1/reports/complaints, the
// complaint lifecycle's): its own groupings and figures, no previous
// period; its chart shows received and closed complaints per group.
const COMPLAINT_GROUPS = ['kind', 'category', 'province', 'unit'];
const COMPLAINT_COLS = ['received', 'verified', 'completed_by_citizen', 'disposed', 'answered', 'answered_in_time', 'closed',
  'not_authority', 'archived', 'reopened', 'over_ceiling'];
const GROUPS = ['day', 'hour', 'channel', 'category', 'province', 'queue', 'agent', 'wrapup'];
// The citizens' ratings (GET /api/v1/reports/csat): surveys sent and
// answered, the average and the share satisfied, per group.
const CSAT_GROUPS = ['channel', 'queue', 'agent', 'category', 'province'];
const CSAT_COLS = [['sent', 'count'], ['responses', 'count'], ['response_rate', 'percent'], ['average', 'number'], ['satisfied_pct', 'percent']];
const CSAT_COL_KEYS = { sent: 'csat.report.col_sent', responses: 'csat.report.col_responses', response_rate: 'csat.report.col_response_rate',
  average: 'csat.report.col_average', satisfied_pct: 'csat.report.col_satisfied_pct' };

const pad = (n) => String(n).padStart(2, '0');

// The range starts empty: the server picks the last 30 days in the
// reports' time zone (not the browser's), and the form shows them.
// chartFrame holds a chart. On a phone the chart keeps a width its text
// can be read at (the SVG's text shrinks with it: at 390 px it was about
// 5 px high) and scrolls sideways in this frame, not the page; while it
// does, the frame takes the keyboard's focus so it can be scrolled with
// the arrow keys. The table under it has every figure too.
function chartFrame(img) {
  const frame = el('div', { 'class': 'reports-chart-frame', role: 'group', 'aria-label': img.getAttribute('alt') }, [img]);
  const fit = () => {
    if (frame.scrollWidth > frame.clientWidth + 1) { frame.setAttribute('tabindex', '0'); } else { frame.removeAttribute('tabindex'); }
  };
  if (typeof ResizeObserver === 'function') { new ResizeObserver(fit).observe(frame); }
  img.addEventListener('load', fit);
  return frame;
}

function initial() {
  return { name: 'volume', from: '', to: '', group: '', result: null, loading: false, error: '' };
}

const current = () => store.get().reports || initial();
const patch = (p) => store.set({ reports: Object.assign({}, current(), p) });

function query(r, extra) {
  const p = new URLSearchParams();
  if (r.from) { p.set('from', r.from); }
  if (r.to) { p.set('to', r.to); }
  if (r.group) { p.set('group_by', r.group); }
  Object.keys(extra || {}).forEach((k) => p.set(k, extra[k]));
  return p.toString();
}
const reportURL = (r, extra) => '/api/v1/reports/' + encodeURIComponent(r.name) + '?' + query(r, extra);

// format writes a figure by its kind: durations h:mm:ss, percentages, counts.
function format(kind, v) {
  if (v === null || v === undefined) { return '–'; }
  if (kind === 'seconds') {
    const s = Math.round(v);
    return Math.floor(s / 3600) + ':' + pad(Math.floor((s % 3600) / 60)) + ':' + pad(s % 60);
  }
  if (kind === 'percent') { return number(v, 1) + '%'; }
  return number(v, Number.isInteger(v) ? 0 : 2);
}

const colName = (key) => label('reports.col.', key);

const groupLabel = (row) => row.label || '–';

// seq numbers the loads: an answer to an older request than the last one
// is dropped, so a slow answer never replaces a newer choice.
let seq = 0;

// lastDays is the range of the last n days, today included (the
// complaint report needs both ends).
function lastDays(n) {
  const d = new Date();
  const iso = (x) => x.getFullYear() + '-' + pad(x.getMonth() + 1) + '-' + pad(x.getDate());
  const to = iso(d);
  d.setDate(d.getDate() - (n - 1));
  return { from: iso(d), to };
}

// loadOwn reads a report with figures of its own (complaints, csat): the
// last 30 days unless a range is picked, its own default grouping; shape
// turns the answer into the result drawn.
async function loadOwn(r, mine, group, shape) {
  const range = r.from && r.to ? { from: r.from, to: r.to } : lastDays(30);
  const shown = Object.assign({}, r, range, { group: r.group || group });
  const res = await request('GET', reportURL(shown));
  if (mine !== seq) { return; }
  if (!res.ok) {
    patch({ loading: false, error: errorMessage(res), result: null });
    setText('reports-live', current().error);
    return;
  }
  const result = Object.assign(shape(res.data), { name: r.name, from: range.from, to: range.to, group_by: shown.group });
  patch({ loading: false, result, group: shown.group, from: range.from, to: range.to });
  $('reports-from').value = range.from;
  $('reports-to').value = range.to;
  setText('reports-live', t('reports.loaded', { name: label('reports.name.', r.name), rows: (result.rows || result.lines || []).length }));
}

async function load() {
  const r = current();
  const mine = ++seq;
  patch({ loading: true, error: '' });
  setText('reports-live', t('reports.loading'));
  if (r.name === 'complaints') { await loadOwn(r, mine, 'kind', (d) => ({ rows: d.rows || [], total: d.total })); return; }
  if (r.name === 'csat') { await loadOwn(r, mine, 'channel', (d) => Object.assign({}, d)); return; }
  const res = await request('GET', reportURL(r));
  if (mine !== seq) { return; }
  if (!res.ok) {
    const f = res.data && res.data.error && res.data.error.fields;
    const first = f ? Object.keys(f).map((k) => f[k])[0] : '';
    patch({ loading: false, error: first || errorMessage(res), result: null });
    setText('reports-live', current().error);
    return;
  }
  const result = res.data.report;
  patch({ loading: false, result, group: result.group_by || '', from: result.from, to: result.to });
  $('reports-from').value = result.from;
  $('reports-to').value = result.to;
  setText('reports-live', t('reports.loaded', { name: label('reports.name.', result.name), rows: (result.rows || []).length }));
}

function field(id, label, input) {
  return el('div', { 'class': 'field reports-field' }, [el('label', { 'for': id, text: label }), input]);
}

function build() {
  const r = current();
  const name = el('select', { id: 'reports-name' }, NAMES.map((n) => el('option', { value: n, text: label('reports.name.', n) })));
  name.value = r.name;
  const group = el('select', { id: 'reports-group' });
  const from = el('input', { id: 'reports-from', type: 'date', value: r.from });
  const to = el('input', { id: 'reports-to', type: 'date', value: r.to });
  const form = el('form', { id: 'reports-form', 'class': 'reports-form', novalidate: true }, [
    field('reports-name', t('reports.report'), name),
    field('reports-from', t('reports.from'), from),
    field('reports-to', t('reports.to'), to),
    field('reports-group', t('reports.group_by'), group),
    el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', id: 'reports-show', text: t('reports.show') }),
  ]);
  name.addEventListener('change', () => { patch({ name: name.value, group: '', result: null }); renderGroups(); load(); });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    patch({ name: name.value, from: from.value, to: to.value, group: group.value });
    load();
  });
  section.append(
    el('h2', { id: 'reports-title', text: t('reports.title') }),
    el('p', { 'class': 'hint', text: t('reports.intro') }),
    form,
    el('p', { 'class': 'form-status', id: 'reports-live', role: 'status', 'aria-live': 'polite' }),
    el('div', { id: 'reports-out', 'class': 'reports-out' }),
  );
  renderGroups();
}

// renderGroups offers the groupings of the chosen report (from the last
// answer; before it, every grouping, the server refusing the wrong ones).
function renderGroups() {
  const r = current();
  const sel = $('reports-group');
  if (!sel) { return; }
  const only = { wrapup: ['wrapup'], agents: ['agent'], queues: ['queue'], abandonment: ['day'], complaints: COMPLAINT_GROUPS, csat: CSAT_GROUPS }[r.name];
  const list = only || GROUPS.filter((g) => g !== 'wrapup' || r.name === 'volume');
  const prefix = r.name === 'complaints' ? 'lifecycle.report.group.' : 'reports.group.';
  sel.replaceChildren(...list.map((g) => el('option', { value: g, text: label(prefix, g) })));
  sel.value = r.group && list.indexOf(r.group) >= 0 ? r.group : list[0];
}

function render(s) {
  const r = s.reports;
  const out = $('reports-out');
  if (!out || !r) { return; }
  renderGroups();
  const res = r.result;
  if (!res) { out.replaceChildren(); return; }
  if (res.name === 'complaints') { renderComplaints(out, r, res); return; }
  if (res.name === 'csat') { renderCSAT(out, r, res); return; }
  const title = label('reports.name.', res.name);
  const shown = Object.assign({}, r, { from: res.from, to: res.to, group: res.group_by });
  const img = el('img', { src: reportURL(shown, { format: 'svg' }), alt: t('reports.chart_alt', { name: title }),
    'class': 'reports-chart', width: '760', height: '320', id: 'reports-chart' });
  const head = [el('th', { scope: 'col', text: label('reports.group.', (res.group_by || 'day')) })];
  res.columns.forEach((c) => head.push(el('th', { scope: 'col', 'class': 'num', text: colName(c.key) })));
  res.columns.forEach((c) => head.push(el('th', { scope: 'col', 'class': 'num', text: t('reports.previous_suffix', { col: colName(c.key) }) })));
  const line = (row, label) => el('tr', null, [el('th', { scope: 'row', text: label })]
    .concat(res.columns.map((c, i) => el('td', { 'class': 'num', text: format(c.kind, row.values[i]) })))
    .concat(res.columns.map((c, i) => el('td', { 'class': 'num prev', text: format(c.kind, row.previous[i]) }))));
  const rows = (res.rows || []).map((row) => line(row, groupLabel(row)));
  const total = line(res.total, t('reports.total'));
  total.classList.add('total');
  const caption = t('reports.table_caption', { name: title, from: res.from, to: res.to, prev_from: res.previous_from, prev_to: res.previous_to });
  const table = el('table', { 'class': 'board-table reports-table', id: 'reports-table' }, [
    el('caption', { text: title }),
    el('thead', null, [el('tr', null, head)]),
    el('tbody', null, rows.concat([total])),
  ]);
  const month = res.from.slice(0, 7);
  const asOf = res.as_of && !res.as_of.startsWith('0001') ? t('reports.as_of', { at: formatDate(res.as_of) }) : t('reports.not_yet');
  out.replaceChildren(
    el('figure', { 'class': 'reports-figure' }, [chartFrame(img), el('figcaption', { text: caption })]),
    el('div', { 'class': 'board-scroll', role: 'region', 'aria-labelledby': 'reports-table-label', tabindex: '0' }, [
      el('span', { id: 'reports-table-label', 'class': 'visually-hidden', text: title }), table]),
    el('p', { 'class': 'muted small', text: asOf }),
    // The median and p90 count rounded durations: say how.
    ...(res.columns.some((c) => c.key === 'resolution_median_s') ? [el('p', { 'class': 'muted small', id: 'reports-rounding', text: t('reports.rounding_note') })] : []),
    el('ul', { 'class': 'reports-links' }, [
      el('li', null, [el('a', { href: reportURL(shown, { format: 'csv' }), id: 'reports-csv', download: '', text: t('reports.download_csv') })]),
      el('li', null, [el('a', { href: '/api/v1/reports/tickets?' + query({ from: res.from, to: res.to }), id: 'reports-export', download: '', text: t('reports.export_tickets') })]),
      el('li', null, [el('a', { href: '/api/v1/reports/monthly/' + encodeURIComponent(month), id: 'reports-monthly', target: '_blank', rel: 'noopener', text: t('reports.monthly_link', { month }) })]),
    ]),
  );
}

// renderComplaints draws the complaint-handling report like the others:
// the server's SVG chart, a table of every figure per group with the
// total, and links to its CSV and its printable page.
function renderComplaints(out, r, res) {
  const title = label('reports.name.', 'complaints');
  const shown = Object.assign({}, r, { from: res.from, to: res.to, group: res.group_by });
  const img = el('img', { src: reportURL(shown, { format: 'svg' }), alt: t('reports.chart_alt', { name: title }),
    'class': 'reports-chart', width: '760', height: '320', id: 'reports-chart' });
  const groupName = (g) => (res.group_by === 'kind' ? label('lifecycle.kind.', g) : (g || '–'));
  const head = [el('th', { scope: 'col', text: label('lifecycle.report.group.', res.group_by) })]
    .concat(COMPLAINT_COLS.map((c) => el('th', { scope: 'col', 'class': 'num', text: label('lifecycle.report.', c) })));
  const line = (row, name) => el('tr', null, [el('th', { scope: 'row', text: name })]
    .concat(COMPLAINT_COLS.map((c) => el('td', { 'class': 'num', text: String(row[c] || 0) }))));
  const total = line(res.total || {}, t('lifecycle.report.total'));
  total.classList.add('total');
  const table = el('table', { 'class': 'board-table reports-table', id: 'reports-table' }, [
    el('caption', { text: title }),
    el('thead', null, [el('tr', null, head)]),
    el('tbody', null, res.rows.map((row) => line(row, groupName(row.group))).concat([total])),
  ]);
  out.replaceChildren(
    el('figure', { 'class': 'reports-figure' }, [chartFrame(img), el('figcaption', { text: t('reports.complaints_caption', { from: res.from, to: res.to }) })]),
    el('div', { 'class': 'board-scroll', role: 'region', 'aria-labelledby': 'reports-table-label', tabindex: '0' }, [
      el('span', { id: 'reports-table-label', 'class': 'visually-hidden', text: title }), table]),
    el('ul', { 'class': 'reports-links' }, [
      el('li', null, [el('a', { href: reportURL(shown, { format: 'csv' }), id: 'reports-csv', download: '', text: t('reports.download_csv') })]),
      el('li', null, [el('a', { href: reportURL(shown, { format: 'html' }), id: 'reports-print', target: '_blank', rel: 'noopener', text: t('reports.complaints_print') })]),
    ]),
  );
}

// renderCSAT draws the ratings report: a table of every group and the
// total, and its CSV.
function renderCSAT(out, r, res) {
  const title = label('reports.name.', 'csat');
  const shown = Object.assign({}, r, { from: res.from, to: res.to, group: res.group_by });
  const groupName = (l) => {
    if (res.group_by === 'channel') { return label('channel.', l.key); }
    if (res.group_by === 'category') { return label('category.', l.key, l.label); }
    return l.label || l.key || '–';
  };
  const colText = (c) => t(CSAT_COL_KEYS[c], { min: res.satisfied_min });
  const head = [el('th', { scope: 'col', text: label('reports.group.', res.group_by) })]
    .concat(CSAT_COLS.map(([c]) => el('th', { scope: 'col', 'class': 'num', text: colText(c) })));
  const line = (l, name) => el('tr', null, [el('th', { scope: 'row', text: name })]
    .concat(CSAT_COLS.map(([c, kind]) => el('td', { 'class': 'num', text: l.responses || (c !== 'average' && c !== 'satisfied_pct') ? format(kind, l[c]) : '–' }))));
  const total = line(res.total || {}, t('reports.total'));
  total.classList.add('total');
  const table = el('table', { 'class': 'board-table reports-table', id: 'reports-table' }, [
    el('caption', { text: title }),
    el('thead', null, [el('tr', null, head)]),
    el('tbody', null, (res.lines || []).map((l) => line(l, groupName(l))).concat([total])),
  ]);
  out.replaceChildren(
    el('p', { 'class': 'hint', id: 'reports-csat-caption', text: t('csat.report.caption', { from: res.from, to: res.to, min: res.satisfied_min }) }),
    el('div', { 'class': 'board-scroll', role: 'region', 'aria-labelledby': 'reports-table-label', tabindex: '0' }, [
      el('span', { id: 'reports-table-label', 'class': 'visually-hidden', text: title }), table]),
    el('ul', { 'class': 'reports-links' }, [
      el('li', null, [el('a', { href: reportURL(shown, { format: 'csv' }), id: 'reports-csv', download: '', text: t('reports.download_csv') })]),
    ]),
  );
}

export function mount() {
  if (!section) { return; }
  store.set({ reports: initial() });
  build();
  let loaded = false;
  store.on(['agent', 'boardShown'], (s) => {
    section.hidden = !(mayBoard(s.agent) && s.boardShown);
    if (!section.hidden && !loaded) { loaded = true; load(); }
    if (!s.agent) { loaded = false; }
  });
  store.on(['reports'], render);
}
