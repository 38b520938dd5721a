// Macros on the canned-reply screen: the macros the agent may change,
// each with edit and delete, and a form to create or edit one. A macro
// does what its fields say, in this order: a canned reply sent (its
// variables filled for the ticket), then priority, tags, status and a
// transfer (to a queue or to an agent, not both). Sharing follows canned
// replies: supervisors and admins share with a queue or all of them,
// agents keep personal ones. The server validates; its words are shown
// beside the field they concern.
import * as api from './api.js';
import { $, t, el, label, sayOutcome, tableOf } from './ui.js';

const STATUSES = ['open', 'pending', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
// The server's field names and the form's controls.
const FIELDS = { name: 'mc-name', shared: 'mc-shared', queue_id: 'mc-queue', canned_id: 'mc-canned', status: 'mc-status',
  priority: 'mc-priority', tags: 'mc-tags', transfer_queue: 'mc-transfer-queue', transfer_agent_id: 'mc-transfer-agent' };

let editing = 0;

function field(id, text, node, hint) {
  node.id = id;
  const described = [hint ? id + '-hint' : '', id + '-error'].filter(Boolean).join(' ');
  node.setAttribute('aria-describedby', described);
  return el('div', { 'class': 'field' }, [el('label', { 'for': id, text }), node,
    hint ? el('p', { 'class': 'hint', id: id + '-hint', text: hint }) : null,
    el('p', { 'class': 'field-error', id: id + '-error', hidden: true })]);
}

function choice(options, none) {
  return el('select', {}, [el('option', { value: '', text: none }), ...options.map(([v, text]) => el('option', { value: String(v), text }))]);
}

// say shows the outcome of a save (sayOutcome).
function say(res, done) {
  return sayOutcome($('macro-admin-form'), $('mc-live'), res, done, FIELDS);
}

function summary(m, replies, targets) {
  const parts = [];
  const r = m.canned_id && replies.find((x) => x.id === m.canned_id);
  if (m.canned_id) { parts.push(t('macros.step_reply') + ': ' + (r ? r.title : '#' + m.canned_id)); }
  if (m.priority) { parts.push(t('macros.step_priority') + ': ' + label('priority.', m.priority)); }
  if (m.tags && m.tags.length) { parts.push(t('macros.step_tags') + ': ' + m.tags.join(', ')); }
  if (m.status) { parts.push(t('macros.step_status') + ': ' + label('ticket_status.', m.status)); }
  if (m.transfer_queue) {
    const q = targets.queues.find((x) => x.code === m.transfer_queue);
    parts.push(t('macros.step_transfer') + ': ' + (q ? q.name : m.transfer_queue));
  } else if (m.transfer_agent_id) {
    const a = targets.agents.find((x) => x.id === m.transfer_agent_id);
    parts.push(t('macros.step_transfer') + ': ' + (a ? a.name : '#' + m.transfer_agent_id));
  }
  return parts.join(' · ');
}

// macroSection draws the list and the form. macros are those the agent
// may change, replies the canned replies they may use, tagNames the tags
// that exist (offered as suggestions), targets the queues and agents a
// macro may transfer to; mayShare says
// whether they may share; changed is called after a save or a delete.
export function macroSection(macros, replies, tagNames, targets, mayShare, changed) {
  if (!macros.find((x) => x.id === editing)) { editing = 0; }
  const m = macros.find((x) => x.id === editing) || { shared: false, tags: [] };

  const rows = macros.map((x) => el('tr', { 'data-macro-row': String(x.id) }, [
    el('th', { scope: 'row', text: x.name }),
    el('td', { text: summary(x, replies, targets) }),
    el('td', { text: x.shared ? t('canned_admin.shared_queue', { queue: x.queue || t('canned_admin.all_queues') }) : t('canned_admin.personal') }),
    el('td', { 'class': 'num', 'data-macro-uses': String(x.id), text: String(x.usage_count || 0) }),
    el('td', {}, [
      el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-macro-edit': String(x.id), text: t('admin.edit'), 'aria-label': t('admin.edit_named', { name: x.name }) }), ' ',
      el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-macro': String(x.id), text: t('canned_admin.delete'), 'aria-label': t('canned_admin.delete_named', { name: x.name }) }),
    ]),
  ]));

  const name = el('input', { type: 'text', autocomplete: 'off', value: m.name || '' });
  const shared = el('input', { type: 'checkbox', id: 'mc-shared', checked: m.shared ? true : null, 'aria-describedby': 'mc-shared-error' });
  const queue = choice(targets.queues.map((q) => [q.id, q.name]), t('canned_admin.all_queues'));
  const canned = choice(replies.map((r) => [r.id, r.title]), t('macro_admin.none'));
  const reply = el('p', { 'class': 'canned-preview', id: 'mc-reply-preview', 'aria-live': 'polite' });
  const showReply = () => {
    const r = replies.find((x) => String(x.id) === canned.value);
    reply.textContent = r ? r.body : t('macro_admin.no_reply');
  };
  canned.addEventListener('change', showReply);
  const priority = choice(PRIORITIES.map((p) => [p, label('priority.', p)]), t('macro_admin.unchanged'));
  const status = choice(STATUSES.map((v) => [v, label('ticket_status.', v)]), t('macro_admin.unchanged'));
  const tags = el('input', { type: 'text', autocomplete: 'off', list: 'mc-tags-list', value: (m.tags || []).join(', ') });
  const tagHint = t('macro_admin.tags_hint') + (tagNames.length ? ' ' + t('macro_admin.tags_known', { tags: tagNames.join(', ') }) : '');
  const toQueue = choice(targets.queues.map((q) => [q.code, q.name]), t('macro_admin.no_transfer'));
  const toAgent = choice(targets.agents.map((a) => [a.id, a.name]), t('macro_admin.no_transfer'));

  const form = el('form', { id: 'macro-admin-form', 'class': 'admin-form', novalidate: true, 'aria-labelledby': 'mc-form-title' }, [
    el('h5', { id: 'mc-form-title', text: editing ? t('macro_admin.edit', { name: m.name }) : t('macro_admin.new') }),
    field('mc-name', t('macro_admin.name'), name),
    mayShare ? el('div', { 'class': 'field' }, [el('label', { 'class': 'check', 'for': 'mc-shared' }, [shared, ' ' + t('canned_admin.share')]),
      el('p', { 'class': 'field-error', id: 'mc-shared-error', hidden: true })]) : null,
    mayShare ? field('mc-queue', t('canned_admin.queue'), queue) : null,
    el('fieldset', {}, [
      el('legend', { text: t('macro_admin.actions') }),
      el('p', { 'class': 'hint', text: t('macro_admin.actions_hint') }),
      field('mc-canned', t('macro_admin.reply'), canned, t('macro_admin.reply_hint')),
      reply,
      field('mc-priority', t('macro_admin.priority'), priority),
      field('mc-tags', t('macro_admin.tags'), tags, tagHint),
      el('datalist', { id: 'mc-tags-list' }, tagNames.map((n) => el('option', { value: n }))),
      field('mc-status', t('macro_admin.status'), status),
      field('mc-transfer-queue', t('macro_admin.transfer_queue'), toQueue),
      field('mc-transfer-agent', t('macro_admin.transfer_agent'), toAgent, t('macro_admin.transfer_hint')),
    ]),
    el('div', { 'class': 'actions' }, [
      el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', id: 'mc-save', text: editing ? t('admin.save') : t('macro_admin.add') }),
      editing ? el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', id: 'mc-cancel', text: t('admin.cancel') }) : null,
    ]),
  ]);
  if (m.queue_id) { queue.value = String(m.queue_id); }
  if (m.canned_id) { canned.value = String(m.canned_id); }
  priority.value = m.priority || '';
  status.value = m.status || '';
  toQueue.value = m.transfer_queue || '';
  if (m.transfer_agent_id) { toAgent.value = String(m.transfer_agent_id); }
  showReply();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const isShared = mayShare && $('mc-shared').checked;
    const num = (id) => ($(id) && $(id).value ? Number($(id).value) : null);
    const draft = {
      name: name.value, shared: isShared, queue_id: isShared ? num('mc-queue') : null,
      canned_id: num('mc-canned'), priority: priority.value, status: status.value,
      tags: tags.value.split(',').map((x) => x.trim()).filter(Boolean),
      transfer_queue: toQueue.value, transfer_agent_id: num('mc-transfer-agent'),
    };
    const res = await api.macroSave(editing, draft);
    if (say(res, t('macro_admin.saved', { name: draft.name.trim() }))) {
      editing = 0;
      changed(t('macro_admin.saved', { name: draft.name.trim() }));
    }
  });

  return [
    el('h4', { id: 'macro-admin-title', text: t('canned_admin.macros') }),
    el('p', { 'class': 'form-status', id: 'mc-live', role: 'status', 'aria-live': 'polite' }),
    macros.length ? tableOf(t('canned_admin.macros'), [t('macro_admin.name'), t('macro_admin.actions'), t('canned_admin.scope'), t('canned_admin.uses'),
      t('admin.col_actions')], rows, 'macro-admin-table') : el('p', { 'class': 'muted', text: t('macro_admin.empty') }),
    form,
  ];
}

// macroClick handles the list's and the form's buttons; true when it
// took the click (redraw is asked for).
export function macroClick(b, redraw) {
  if (b.dataset.macroEdit) {
    editing = Number(b.dataset.macroEdit);
    redraw();
    $('mc-name').focus();
    return true;
  }
  if (b.id === 'mc-cancel') {
    editing = 0;
    redraw();
    $('mc-name').focus();
    return true;
  }
  return false;
}
