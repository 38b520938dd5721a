// Bulk actions on the tickets ticked in the list: status, priority, add or
// remove tags, transfer to a queue, and (supervisors, admins) assign. One
// request, a result per ticket; the bar says how many were changed and
// lists each ticket that was refused, with the reason.
//
// Store key (see store.js): bulkSelected, the ticked ticket ids (array).
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, label, setText, errorMessage, busy } from './ui.js';
import { loadList, loadTicket, can } from './actions.js';

const bar = $('bulk-mount');
const STATUSES = ['open', 'pending', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

export const isSelected = (id, s) => (s || store.get()).bulkSelected.indexOf(id) >= 0;

// box is a ticket's checkbox in the list.
export function box(tk, s) {
  const cb = el('input', { type: 'checkbox', 'class': 'bulk-check', 'data-bulk-id': String(tk.id),
    'aria-label': t('bulk.select', { tracking: tk.tracking_number || String(tk.id) }) });
  cb.checked = isSelected(tk.id, s);
  cb.addEventListener('change', () => toggle(tk.id, cb.checked));
  return cb;
}

function toggle(id, on) {
  const cur = store.get().bulkSelected.filter((x) => x !== id);
  if (on) { cur.push(id); }
  setText('bulk-result', '');
  store.set({ bulkSelected: cur });
}

function actions(s) {
  const list = [
    ['status', t('bulk.action_status')], ['priority', t('bulk.action_priority')],
    ['tags_add', t('bulk.action_tags_add')], ['tags_remove', t('bulk.action_tags_remove')],
  ];
  if (s.targets.queues.length) { list.push(['transfer', t('bulk.action_transfer')]); }
  if (can(s.agent, 'tickets.assign') && s.targets.agents.length) {
    list.push(['assign', t('bulk.action_assign')]);
  }
  return list;
}

function fillValues() {
  const s = store.get();
  const action = $('bulk-action').value;
  const sel = $('bulk-value');
  const tags = $('bulk-tags-field');
  const field = $('bulk-value-field');
  tags.hidden = action.indexOf('tags_') !== 0;
  field.hidden = !tags.hidden;
  sel.textContent = '';
  sel.appendChild(el('option', { value: '', text: '—' }));
  let opts = [];
  if (action === 'status') { opts = STATUSES.map((v) => [v, label('ticket_status.', v)]); }
  if (action === 'priority') { opts = PRIORITIES.map((v) => [v, label('priority.', v)]); }
  if (action === 'transfer') { opts = s.targets.queues.map((q) => [q.code, q.name || q.code]); }
  if (action === 'assign') { opts = s.targets.agents.map((a) => [String(a.id), a.name]); }
  opts.forEach(([v, text]) => sel.appendChild(el('option', { value: v, text })));
}

function build() {
  bar.append(
    el('p', { 'class': 'bulk-count', id: 'bulk-count', 'aria-live': 'polite' }),
    el('form', { id: 'bulk-form', 'class': 'bulk-form', novalidate: true, 'aria-label': t('bulk.bar') }, [
      el('div', { 'class': 'field-inline' }, [
        el('label', { 'for': 'bulk-action', text: t('bulk.action') }),
        el('select', { id: 'bulk-action' }),
      ]),
      el('div', { 'class': 'field-inline', id: 'bulk-value-field' }, [
        el('label', { 'for': 'bulk-value', text: t('bulk.value') }),
        el('select', { id: 'bulk-value' }),
      ]),
      el('div', { 'class': 'field-inline', id: 'bulk-tags-field', hidden: true }, [
        el('label', { 'for': 'bulk-tags', text: t('bulk.tags_value') }),
        el('input', { id: 'bulk-tags', type: 'text', list: 'tags-options', autocomplete: 'off', maxlength: '200' }),
      ]),
      el('div', { 'class': 'bulk-buttons' }, [
        el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', id: 'bulk-apply', text: t('bulk.apply') }),
        el('button', { type: 'button', 'class': 'btn btn-link btn-small', id: 'bulk-clear', text: t('bulk.clear') }),
      ]),
    ]),
    el('div', { 'class': 'bulk-result', id: 'bulk-result', role: 'status', 'aria-live': 'polite' }),
  );
  $('bulk-action').addEventListener('change', fillValues);
  $('bulk-clear').addEventListener('click', () => {
    store.set({ bulkSelected: [] });
    const first = document.querySelector('#ticket-list .ticket-item');
    if (first) { first.focus(); }
  });
  $('bulk-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const s = store.get();
    const ids = s.bulkSelected.slice();
    const action = $('bulk-action').value;
    const value = $('bulk-value').value;
    const body = { ids };
    if (action.indexOf('tags_') === 0) {
      body.action = 'tags';
      body.tags_mode = action === 'tags_add' ? 'add' : 'remove';
      body.tags = $('bulk-tags').value.split(',').map((x) => x.trim()).filter(Boolean);
      if (!body.tags.length) { setText('bulk-result', t('bulk.need_value')); $('bulk-tags').focus(); return; }
    } else {
      if (!value) { setText('bulk-result', t('bulk.need_value')); $('bulk-value').focus(); return; }
      body.action = action;
      if (action === 'status') { body.status = value; }
      if (action === 'priority') { body.priority = value; }
      if (action === 'transfer') { body.queue = value; }
      if (action === 'assign') { body.agent_id = Number(value); }
    }
    busy($('bulk-apply'), true, t('common.loading'));
    const res = await api.bulk(body);
    busy($('bulk-apply'), false);
    const out = $('bulk-result');
    out.textContent = '';
    if (!res.ok || !res.data) {
      out.textContent = errorMessage(res);
      return;
    }
    const failed = (res.data.results || []).filter((r) => !r.ok);
    out.appendChild(el('p', { text: t('bulk.done', { done: res.data.done || 0, failed: res.data.failed || 0 }) }));
    if (failed.length) {
      const tn = (id) => { const tk = store.get().tickets.find((x) => x.id === id); return tk ? tk.tracking_number : String(id); };
      out.appendChild(el('ul', { 'class': 'bulk-failures' },
        failed.map((r) => el('li', { text: t('bulk.failed_item', { tracking: tn(r.id), message: r.message || r.code }) }))));
    }
    // Keep the refused ones ticked, so they can be fixed and tried again.
    store.set({ bulkSelected: failed.map((r) => r.id) });
    loadList();
    if (s.selectedId && ids.indexOf(s.selectedId) >= 0) { loadTicket(s.selectedId); }
  });
}

function render(s) {
  const n = s.bulkSelected.length;
  bar.hidden = !n && !$('bulk-result').textContent;
  $('bulk-form').hidden = !n;
  setText('bulk-count', n ? t('bulk.selected', { n }) : '');
  const sel = $('bulk-action');
  const keep = sel.value;
  const list = actions(s);
  if (sel.options.length !== list.length) {
    sel.textContent = '';
    list.forEach(([v, text]) => sel.appendChild(el('option', { value: v, text })));
    sel.value = list.some(([v]) => v === keep) ? keep : list[0][0];
    fillValues();
  }
  document.querySelectorAll('#ticket-list .bulk-check').forEach((cb) => { cb.checked = isSelected(Number(cb.dataset.bulkId), s); });
}

export function mountBulk() {
  if (!bar) { return; }
  build();
  store.on(['bulkSelected', 'targets', 'agent'], render);
  // Ticked tickets that left the list are no longer selected.
  store.on(['tickets'], (s) => {
    const ids = s.tickets.map((x) => x.id);
    const kept = s.bulkSelected.filter((id) => ids.indexOf(id) >= 0);
    if (kept.length !== s.bulkSelected.length) { store.set({ bulkSelected: kept }); }
  });
  render(store.get());
}
