// Refused items, a section of the admin screens (admin.js): first, per
// channel, the webhook deliveries refused before they were read (a bad
// signature, a malformed body) with the last one's reason in words and
// the last accepted delivery; then what the
// channels received and could not read (a WhatsApp message whose sender is
// no number, a status without an id), newest first — when, channel, why
// in words, the sender masked, and a button that opens the item as sent.
// Opening one is a view of personal data: the server records it in the
// view audit before it answers.
import * as api from './api.js';
import { $, t, el, label, formatDate, errorMessage, tableOf } from './ui.js';
import { addSection, redraw } from './admin.js';

let items = [];
let next = null;
let opened = null; // {id, detail} or {id, error}
// hooks: per channel, the webhook deliveries refused before they could be
// read (a wrong app secret refuses every one) since refused_since (the
// start of the oldest whole hour of the last day: counts are kept by the
// hour), beside the last accepted.
let hooks = { channels: [], refused_since: null };

async function loadHooks() {
  const res = await api.adminCall('GET', 'webhooks');
  hooks = res.ok && res.data ? res.data : { channels: [], refused_since: null };
  return res.ok ? '' : errorMessage(res);
}

// hookReason says a refusal's reason code in words, with what to check
// on that channel when there is one.
const hookReason = (h) => label('webhooks.reason_', h.last_reason + '_' + h.channel,
  label('webhooks.reason_', h.last_reason, t('webhooks.reason_payload')));

function hooksView() {
  const when = (at) => (at ? formatDate(at) : t('webhooks.never'));
  const rows = hooks.channels.map((h) => {
    // Refused since the last accepted delivery: nothing of the channel
    // gets through; said in words, not by colour.
    const stuck = !!h.last_refused_at && (!h.last_accepted_at || Date.parse(h.last_refused_at) > Date.parse(h.last_accepted_at));
    return el('tr', { 'data-webhook': h.channel }, [
      el('th', { scope: 'row', text: label('channel.', h.channel, h.channel) }),
      el('td', { text: String(h.refused) }),
      el('td', { text: h.last_refused_at ? when(h.last_refused_at) : t('webhooks.none') }),
      el('td', { 'class': stuck ? 'webhook-stuck' : '' }, h.last_reason ? [
        el('span', { text: hookReason(h) }),
        stuck ? el('strong', { 'class': 'webhook-warn', text: ' ' + t('webhooks.stuck') }) : null,
      ].filter(Boolean) : [el('span', { text: '—' })]),
      el('td', { text: when(h.last_accepted_at) }),
    ]);
  });
  return el('section', { id: 'webhook-health', 'aria-labelledby': 'webhook-health-title' }, [
    el('h4', { id: 'webhook-health-title', text: t('webhooks.title') }),
    el('p', { 'class': 'hint', text: t('webhooks.hint') }),
    tableOf(t('webhooks.caption'), [t('refused.col_channel'), hooks.refused_since ? t('webhooks.col_refused_since', { since: formatDate(hooks.refused_since) }) : t('webhooks.col_refused'),
      t('webhooks.col_last'), t('refused.col_reason'), t('webhooks.col_accepted')], rows, 'admin-webhooks'),
  ]);
}

async function load(more) {
  const q = new URLSearchParams({ limit: '50' });
  if (more && next) { q.set('before_at', next.before_at); q.set('before_id', String(next.before_id)); }
  const res = await api.adminCall('GET', 'refused?' + q.toString());
  if (!res.ok) { items = more ? items : []; next = null; return errorMessage(res); }
  items = more ? items.concat(res.data.items || []) : (res.data.items || []);
  next = res.data.next || null;
  return '';
}

const cause = (c) => label('refused.cause_', c, t('refused.cause_unreadable'));
const itemName = (r) => label('refused.item_', r.item, r.item);

function openView() {
  if (!opened) { return null; }
  const r = items.find((x) => x.id === opened.id);
  const when = r ? formatDate(r.received_at) : '';
  const box = el('section', { id: 'refused-raw', 'class': 'refused-raw', tabindex: '-1', 'aria-labelledby': 'refused-raw-title' }, [
    el('h4', { id: 'refused-raw-title', text: t('refused.raw_title', { when }) }),
  ]);
  if (opened.error) {
    box.append(el('p', { 'class': 'form-status form-status-error', role: 'alert', text: opened.error }));
  } else {
    const d = opened.detail;
    let raw = '';
    try { raw = JSON.stringify(d.raw, null, 2); } catch (e) { raw = String(d.raw); }
    box.append(
      el('dl', { 'class': 'refused-facts' }, [
        el('dt', { text: t('refused.col_sender') }), el('dd', { 'class': 'mono', text: d.sender || t('refused.sender_unread') }),
        el('dt', { text: t('refused.provider_id') }), el('dd', { 'class': 'mono', text: d.provider_message_id || '—' }),
        el('dt', { text: t('refused.col_reason') }), el('dd', { text: cause(d.cause) }),
        el('dt', { text: t('refused.detail') }), el('dd', { 'class': 'mono admin-detail', text: d.reason }),
      ]),
      el('p', { 'class': 'hint', text: t('refused.raw_hint') }),
      el('pre', { 'class': 'refused-pre', tabindex: '0', 'aria-label': t('refused.raw_label'), text: raw }),
    );
  }
  box.append(el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', 'data-refused-close': '1', text: t('refused.close') }));
  return box;
}

function view() {
  const rows = items.map((r) => el('tr', { 'data-refused': String(r.id), 'class': opened && opened.id === r.id ? 'refused-open' : '' }, [
    el('td', { text: formatDate(r.received_at) }),
    el('td', { text: label('channel.', r.channel, r.channel) }),
    el('th', { scope: 'row' }, [
      el('span', { text: cause(r.cause) }),
      el('span', { 'class': 'muted small', text: ' · ' + itemName(r) }),
    ]),
    el('td', { 'class': 'mono', text: r.sender_masked || t('refused.sender_unread') }),
    el('td', {}, [el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-refused-open': String(r.id), text: t('refused.open'),
      'aria-label': t('refused.open_named', { when: formatDate(r.received_at) }) })]),
  ]));
  const table = tableOf(t('refused.caption'), [t('refused.col_when'), t('refused.col_channel'), t('refused.col_reason'), t('refused.col_sender'),
    t('admin.col_actions')], rows, 'admin-refused');
  const out = [hooksView(), el('h4', { id: 'refused-items-title', text: t('refused.items_title') }),
    el('p', { 'class': 'hint', text: t('refused.hint') }), table];
  if (!items.length) { out.push(el('p', { 'class': 'muted', id: 'refused-empty', text: t('refused.empty') })); }
  if (next) { out.push(el('button', { type: 'button', id: 'refused-more', 'class': 'btn btn-secondary btn-small', text: t('refused.more') })); }
  out.push(openView());
  const wrap = el('div', { id: 'refused-section' }, out.filter(Boolean));
  wrap.addEventListener('click', onClick);
  return [wrap];
}

async function onClick(ev) {
  const b = ev.target.closest('button');
  if (!b) { return; }
  if (b.id === 'refused-more') {
    const err = await load(true);
    redraw();
    $('admin-live').textContent = err || t('refused.shown', { n: items.length });
    const m = $('refused-more');
    if (m) { m.focus(); }
    return;
  }
  if (b.hasAttribute('data-refused-close')) {
    const id = opened ? opened.id : 0;
    opened = null;
    redraw();
    const back = document.querySelector('button[data-refused-open="' + id + '"]');
    if (back) { back.focus(); }
    return;
  }
  const id = Number(b.getAttribute('data-refused-open'));
  if (!id) { return; }
  const res = await api.adminCall('GET', 'refused/' + id);
  opened = res.ok ? { id, detail: res.data } : { id, error: errorMessage(res) };
  redraw();
  const box = $('refused-raw');
  if (box) { box.focus(); }
}

export function mountRefusedAdmin() {
  addSection('refused', view, async () => {
    opened = null;
    const errs = await Promise.all([loadHooks(), load(false)]);
    const err = errs.find(Boolean);
    if (err) { setTimeout(() => { const live = $('admin-live'); if (live) { live.textContent = err; } }, 0); }
  }, 'audit.view');
}
