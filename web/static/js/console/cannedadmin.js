// The canned-reply screen, a disclosure under the ticket list: every reply
// the agent may use, theirs (personal) and their queues' (shared); create,
// edit, delete (asked once more in the row), and a preview with the
// variables filled by examples. Supervisors and admins share a reply with
// a queue (the server checks who may); agents keep personal ones. Macros
// the agent may change are listed, created, edited and deleted below
// (macroadmin.js), a deletion asked as a reply's is. The reply box's "/"
// list and macro choice take the changes at once, and the screen, when
// open, shows a use counted from the reply box, a canned reply's or a
// macro's (its counts read again and put in place, the form left as it
// is). In a narrow column (the ticket list's) its tables show each row as
// a card (app.css, the canned-admin container).
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, label, sayOutcome, tableOf, keepLive, redrawn, askInPlace, clearOnEdit } from './ui.js';
import { macroSection, macroClick } from './macroadmin.js';

const mount = $('canned-admin-mount');
let replies = [];
let variables = [];
let macros = [];
let tagNames = []; // the tags a macro may add (agents cannot create new ones)
let targets = { queues: [], agents: [] }; // where a macro may transfer
let editing = 0;

const mayShare = (a) => !!a && (a.role === 'supervisor' || a.role === 'admin');

// samples fill the preview: what each variable becomes in a real ticket.
function sample(name) { return label('canned_admin.sample_', name, name); }

function preview(body) {
  return String(body || '').replace(/\{\{\s*([a-zA-Z_]+)\s*\}\}/g, (all, name) => {
    const n = name.toLowerCase();
    return variables.indexOf(n) >= 0 ? sample(n) : all;
  });
}

async function load() {
  // The transfer targets are read here, not from the store: the form is
  // drawn once they are in.
  const [r, m, tg, tt] = await Promise.all([api.cannedList(), api.macros(), api.listTags(), api.transferTargets()]);
  if (tt.ok && tt.data) { targets = { queues: tt.data.queues || [], agents: tt.data.agents || [] }; }
  tagNames = tg.ok && tg.data ? (tg.data.tags || []).map((x) => x.name) : [];
  if (r.ok && r.data) { replies = r.data.canned_responses || []; variables = r.data.variables || []; }
  if (m.ok && m.data) { macros = (m.data.macros || []).filter((x) => x.editable !== false); }
}

function field(id, text, node, hint) {
  node.id = id;
  return el('div', { 'class': 'field' }, [el('label', { 'for': id, text }), node,
    hint ? el('p', { 'class': 'hint', id: id + '-hint', text: hint }) : null,
    el('p', { 'class': 'field-error', id: id + '-error', hidden: true })]);
}

const CANNED_FIELDS = { title: 'ca-title', shortcut: 'ca-shortcut', body: 'ca-body', lang: 'ca-lang', queue_id: 'ca-queue', shared: 'ca-shared' };

// live is the screen's status region, drawn once (see keepLive).
const live = el('p', { 'class': 'form-status', id: 'ca-live', role: 'status', 'aria-live': 'polite' });

function say(res, done) {
  return sayOutcome(mount, live, res, done, CANNED_FIELDS);
}

// redrawSaid draws the screen again after a change: the focus, lost with
// the control that had it, goes to the first of targets on screen, else
// to the screen's title; then done is said.
function redrawSaid(done, ...targets) {
  redrawn(mount, draw, targets, '#canned-admin-title', live, done);
}

function draw() {
  const s = store.get();
  const body = mount.querySelector('.canned-admin-body');
  keepLive(body, live);
  live.textContent = ''; // redrawSaid says a change's outcome after the redraw
  const rows = replies.map((r) => el('tr', { 'data-canned': String(r.id) }, [
    el('th', { scope: 'row', text: r.title }),
    el('td', { 'class': 'mono', text: r.shortcut ? '/' + r.shortcut : '—' }),
    el('td', { text: label('canned_admin.lang_', String(r.lang).slice(0, 2), r.lang) }),
    el('td', { text: r.shared ? t('canned_admin.shared_queue', { queue: r.queue || t('canned_admin.all_queues') }) : t('canned_admin.personal') }),
    el('td', { 'class': 'num', 'data-uses': String(r.id), text: String(r.usage_count || 0) }),
    el('td', {}, r.editable ? [
      el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-edit': String(r.id), text: t('admin.edit'), 'aria-label': t('admin.edit_named', { name: r.title }) }), ' ',
      el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-delete': String(r.id), text: t('canned_admin.delete'), 'aria-label': t('canned_admin.delete_named', { name: r.title }) }),
    ] : [el('span', { 'class': 'muted', text: t('canned_admin.read_only') })]),
  ]));
  const r = replies.find((x) => x.id === editing) || { lang: 'id-ID', shared: false };
  const queues = (s.targets && s.targets.queues) || [];
  const queue = el('select', {}, [el('option', { value: '', text: t('canned_admin.all_queues') }),
    ...queues.map((q) => el('option', { value: String(q.id), text: q.name }))]);
  const lang = el('select', {}, ['id-ID', 'en-US'].map((l) => el('option', { value: l, text: label('canned_admin.lang_', l.slice(0, 2), l) })));
  const text = el('textarea', { rows: '5', 'aria-describedby': 'ca-body-hint' });
  text.value = r.body || '';
  const shared = el('input', { type: 'checkbox', id: 'ca-shared', checked: r.shared ? true : null });
  const out = el('div', { 'class': 'canned-preview', id: 'ca-preview', 'aria-live': 'polite', text: preview(text.value) });
  text.addEventListener('input', () => { out.textContent = preview(text.value); });
  const f = el('form', { id: 'canned-admin-form', 'class': 'admin-form', novalidate: true }, [
    el('h4', { text: editing ? t('canned_admin.edit', { name: r.title }) : t('canned_admin.new') }),
    field('ca-title', t('canned_admin.title'), el('input', { type: 'text', autocomplete: 'off', value: r.title || '' })),
    field('ca-shortcut', t('canned_admin.shortcut'), el('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: r.shortcut || '' }), t('canned_admin.shortcut_hint')),
    field('ca-lang', t('canned_admin.lang'), lang),
    mayShare(s.agent) ? el('div', { 'class': 'field' }, [el('label', { 'class': 'check', 'for': 'ca-shared' }, [shared, ' ' + t('canned_admin.share')]),
      el('p', { 'class': 'field-error', id: 'ca-shared-error', hidden: true })]) : null,
    mayShare(s.agent) ? field('ca-queue', t('canned_admin.queue'), queue) : null,
    field('ca-body', t('canned_admin.body'), text, t('canned_admin.body_hint', { vars: variables.map((v) => '{{' + v + '}}').join(', ') })),
    el('p', { 'class': 'hint', id: 'ca-preview-label', text: t('canned_admin.preview') }),
    out,
    el('div', { 'class': 'actions' }, [
      el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', id: 'ca-save', text: editing ? t('admin.save') : t('canned_admin.add') }),
      editing ? el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', 'data-new': '1', text: t('admin.cancel') }) : null,
    ]),
  ]);
  out.setAttribute('aria-labelledby', 'ca-preview-label');
  body.append(...[
    replies.length ? tableOf(t('canned_admin.caption'), [t('canned_admin.title'), t('canned_admin.shortcut'), t('canned_admin.lang'), t('canned_admin.scope'),
      t('canned_admin.uses'), t('admin.col_actions')], rows, 'canned-admin-table') : el('p', { 'class': 'muted', text: t('canned_admin.empty') }),
    f,
    ...macroSection(macros, replies, tagNames, targets, mayShare(s.agent), macroSaved),
  ].filter(Boolean));
  lang.value = r.lang || 'id-ID';
  if (r.queue_id) { queue.value = String(r.queue_id); }
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const isShared = mayShare(store.get().agent) && $('ca-shared').checked;
    const q = isShared && $('ca-queue').value ? Number($('ca-queue').value) : null;
    const draft = { title: $('ca-title').value, shortcut: $('ca-shortcut').value.trim(), lang: $('ca-lang').value, body: $('ca-body').value, shared: isShared, queue_id: q };
    const res = await api.cannedSave(editing, draft);
    if (say(res, '')) {
      const was = editing;
      editing = 0; await load();
      redrawSaid(t('canned_admin.saved', { name: draft.title }), was ? 'button[data-edit="' + was + '"]' : '#ca-title');
      store.set({ cannedChanged: Date.now() });
    }
  });
}

// macroSaved redraws after a macro was saved: the focus goes to the
// emptied form's first field (for the next macro) and the outcome is said
// in the screen's status region, which outlives the redraw (the macro
// form's own is drawn anew with it, too late to be read out).
async function macroSaved(done) {
  await load();
  redrawSaid(done, '#mc-name');
  store.set({ cannedChanged: Date.now() });
}

async function onClick(ev) {
  const b = ev.target.closest('button');
  if (!b || !mount.contains(b) || b.type === 'submit') { return; }
  if (macroClick(b, draw)) { return; }
  if (b.dataset.edit) { editing = Number(b.dataset.edit); draw(); $('ca-title').focus(); return; }
  if (b.dataset.new) { editing = 0; draw(); $('ca-title').focus(); return; }
  const del = b.dataset.delete || b.dataset.macro;
  if (!del) { return; }
  const isMacro = !b.dataset.delete;
  const name = isMacro ? (macros.find((x) => x.id === Number(del)) || {}).name : (replies.find((x) => x.id === Number(del)) || {}).title;
  askInPlace(b, (isMacro ? 'mc' : 'ca') + '-delete-question-' + del, t('canned_admin.confirm_delete', { name }), t('admin.delete_yes'),
    () => remove(del, name, isMacro));
}

// remove deletes a reply or a macro, once asked: a refusal is said, the
// focus left on its button; done, the row goes and the focus goes to the
// screen's title.
async function remove(id, name, isMacro) {
  const res = isMacro ? await api.macroDelete(id) : await api.cannedDelete(id);
  if (!say(res, '')) { return; }
  editing = 0; await load();
  redrawSaid(t('canned_admin.deleted', { name }));
  store.set({ cannedChanged: Date.now() });
  if (isMacro) { $('mc-live').textContent = t('canned_admin.deleted', { name }); }
}

// showUses reads the replies and macros again after a use was counted (a
// reply inserted, a macro applied: its reply counts too) and puts the new
// counts in their cells: drawing the screen again would drop what is
// being typed in its form.
async function showUses() {
  if (!mount.open || (!replies.length && !macros.length)) { return; }
  const [r, m] = await Promise.all([api.cannedList(), api.macros()]);
  if (!mount.open) { return; }
  const put = (list, fresh, attr) => fresh.forEach((n) => {
    const x = list.find((y) => y.id === n.id);
    if (x) { x.usage_count = n.usage_count; }
    const cell = mount.querySelector('td[' + attr + '="' + n.id + '"]');
    if (cell) { cell.textContent = String(n.usage_count || 0); }
  });
  if (r.ok && r.data) { put(replies, r.data.canned_responses || [], 'data-uses'); }
  if (m.ok && m.data) { put(macros, m.data.macros || [], 'data-macro-uses'); }
}

export function mountCannedAdmin() {
  if (!mount) { return; }
  mount.append(el('summary', { id: 'canned-admin-title', text: t('canned_admin.heading') }), el('div', { 'class': 'canned-admin-body' }));
  mount.addEventListener('click', onClick);
  clearOnEdit(mount);
  mount.addEventListener('toggle', async () => { if (mount.open) { await load(); draw(); } });
  store.on(['cannedUsed', 'macroUsed'], showUses);
  store.on(['agent'], (s) => {
    mount.hidden = !s.agent;
    if (!s.agent) { mount.open = false; replies = []; macros = []; }
  });
}
