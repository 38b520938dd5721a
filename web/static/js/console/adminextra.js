// More admin screens, as sections of admin.js: the complaint categories
// of the public form (code, labels in both languages, confidential by
// default, offered or not, order) and the IVR menu (the menu in force as
// a tree; a new one typed or loaded from a file, checked with every
// problem on its line and path, applied only when valid — new calls take
// it). Every change is audited by the server.
import * as api from './api.js';
import { $, t, el, tableOf } from './ui.js';
import { addSection, redraw, redrawSaid, field, input, say } from './admin.js';

let cats = [];
let catEditing = 0;

async function loadCategories() {
  const res = await api.adminCall('GET', 'complaint-categories');
  if (res.ok && res.data) { cats = res.data.categories || []; }
}

const yes = (v) => (v ? '✓ ' + t('admin.yes') : '— ' + t('admin.no'));

function check(id, text, on) {
  return el('div', { 'class': 'field check-field' }, [el('label', { 'class': 'check', 'for': id }, [
    el('input', { type: 'checkbox', id, checked: on ? true : null }), ' ' + text])]);
}

function categoriesView() {
  const rows = cats.map((c) => el('tr', { 'data-category': c.code, 'class': c.active ? '' : 'admin-off' }, [
    el('td', { 'class': 'num', text: String(c.position) }),
    el('th', { scope: 'row', 'class': 'mono', text: c.code }),
    el('td', { text: c.label_id }), el('td', { lang: 'en', text: c.label_en }),
    el('td', { text: yes(c.sensitive) }),
    el('td', { text: c.active ? t('admin.in_use') : '⊘ ' + t('admin.category_hidden') }),
    el('td', {}, [el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-cat': String(c.id), text: t('admin.edit'),
      'aria-label': t('admin.edit_named', { name: c.label_id }) })]),
  ]));
  const c = cats.find((x) => x.id === catEditing) || { active: true, position: cats.length + 1 };
  const f = el('form', { id: 'admin-category-form', 'class': 'admin-form', novalidate: true }, [
    el('h3', { text: catEditing ? t('admin.category_edit', { name: c.label_id }) : t('admin.category_new') }),
    field('ac-code', t('admin.category_code'), input({ value: c.code || '', spellcheck: 'false', 'aria-describedby': 'ac-code-hint' })),
    el('p', { 'class': 'hint', id: 'ac-code-hint', text: t('admin.category_code_hint') }),
    field('ac-label-id', t('admin.label_id'), input({ value: c.label_id || '' })),
    field('ac-label-en', t('admin.label_en'), input({ lang: 'en', value: c.label_en || '' })),
    field('ac-position', t('admin.category_position'), input({ type: 'number', min: '0', max: '9999', value: String(c.position || 0) })),
    check('ac-sensitive', t('admin.category_sensitive'), c.sensitive),
    check('ac-active', t('admin.category_active'), c.active),
    el('div', { 'class': 'actions' }, [
      el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', text: catEditing ? t('admin.save') : t('admin.category_add') }),
      catEditing ? el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', 'data-cat': '0', text: t('admin.cancel') }) : null,
    ]),
  ]);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { code: $('ac-code').value, label_id: $('ac-label-id').value, label_en: $('ac-label-en').value,
      position: Number($('ac-position').value || 0), sensitive: $('ac-sensitive').checked, active: $('ac-active').checked };
    const res = catEditing ? await api.adminCall('PUT', 'complaint-categories/' + catEditing, body)
      : await api.adminCall('POST', 'complaint-categories', body);
    if (say(res, '', 'ac')) {
      const was = catEditing;
      catEditing = 0; await loadCategories();
      redrawSaid(t('admin.category_saved', { name: body.label_id }), was ? '#admin-categories button[data-cat="' + was + '"]' : '#ac-code');
    }
  });
  const table = tableOf(t('admin.categories_caption'), [t('admin.category_position'), t('admin.category_code'), t('admin.label_id'), t('admin.label_en'),
    t('admin.category_sensitive_short'), t('admin.col_state'), t('admin.col_actions')], rows, 'admin-categories');
  table.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-cat]');
    if (b) { catEditing = Number(b.getAttribute('data-cat')); redraw(); $('ac-label-id').focus(); }
  });
  f.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-cat]');
    if (b) { const was = catEditing; catEditing = 0; redrawSaid(undefined, '#admin-categories button[data-cat="' + was + '"]'); }
  });
  return [el('p', { 'class': 'hint', text: t('admin.categories_hint') }), table, f];
}

// ---- IVR menu ---------------------------------------------------------------

let ivr = null; // {version, source, tree}
let draft = null; // the text being edited, kept across redraws
let problems = [];

async function loadIVR() {
  const res = await api.adminCall('GET', 'ivr-menu');
  if (res.ok && res.data) { ivr = res.data; if (draft === null) { draft = ivr.source; } }
}

function optionText(o) {
  if (o.kind === 'menu') { return t('admin.ivr_goes_menu', { menu: o.target }); }
  if (o.kind === 'action') { return t('admin.ivr_goes_action', { action: o.target }); }
  return t('admin.ivr_goes_info', { text: o.target });
}

// tree draws the menus reachable from start, each submenu nested under
// its key; a menu already drawn above is named, not drawn again.
function tree(tr) {
  const byID = {};
  (tr.menus || []).forEach((m) => { byID[m.id] = m; });
  const drawn = new Set();
  function node(id) {
    const m = byID[id];
    drawn.add(id);
    return el('li', { 'data-menu': id }, [
      el('span', { 'class': 'ivr-menu-id mono', text: t('admin.ivr_menu', { id }) }), ' ',
      el('span', { 'class': 'ivr-prompt', text: m.prompt }),
      el('ul', {}, (m.options || []).map((o) => el('li', { 'data-key': o.key }, [
        el('kbd', { text: o.key }), ' → ' + optionText(o),
        o.kind === 'menu' && byID[o.target] && !drawn.has(o.target) ? el('ul', {}, [node(o.target)]) : null,
      ]))),
    ]);
  }
  const roots = [el('li', {}, [el('kbd', { text: '0' }), ' → ' + t('admin.ivr_key_agent'), ' · ', el('kbd', { text: '9' }), ' → ' + t('admin.ivr_key_repeat')])];
  if (byID[tr.start]) { roots.unshift(node(tr.start)); }
  const unreached = (tr.menus || []).filter((m) => !drawn.has(m.id));
  unreached.forEach((m) => roots.push(node(m.id)));
  return el('ul', { 'class': 'ivr-tree', id: 'ivr-tree', 'aria-label': t('admin.ivr_tree') }, roots);
}

function problemList() {
  if (!problems.length) { return null; }
  return el('div', { 'class': 'alert alert-error', id: 'ivr-problems-box', tabindex: '-1' }, [
    el('p', { id: 'ivr-problems-title', text: t('admin.ivr_problems', { n: problems.length }) }),
    el('ol', { id: 'ivr-problems', 'aria-labelledby': 'ivr-problems-title' }, problems.map((p) => el('li', { 'data-line': p.line ? String(p.line) : null, 'data-path': p.path || null }, [
      // The server tells each problem in the console's language, its line and path included.
      el('span', { text: p.message }),
    ]))),
  ]);
}

function ivrView() {
  if (!ivr) { return [el('p', { 'class': 'muted', text: t('admin.ivr_unavailable') })]; }
  const body = el('textarea', { id: 'ai-body', rows: '18', spellcheck: 'false', 'class': 'mono', 'aria-describedby': 'ai-body-hint' + (problems.length ? ' ivr-problems-title' : ''),
    'aria-invalid': problems.length ? 'true' : null });
  body.value = draft || '';
  body.addEventListener('input', () => { draft = body.value; });
  const file = el('input', { type: 'file', id: 'ai-file', accept: '.yaml,.yml,.json,application/json,text/yaml' });
  file.addEventListener('change', () => {
    const fl = file.files && file.files[0];
    if (!fl) { return; }
    fl.text().then((txt) => { draft = txt; problems = []; $('ai-body').value = txt; $('admin-live').textContent = t('admin.ivr_loaded', { name: fl.name }); });
  });
  const f = el('form', { id: 'admin-ivr-form', 'class': 'admin-form', novalidate: true }, [
    el('h3', { text: t('admin.ivr_upload') }),
    el('div', { 'class': 'field' }, [el('label', { 'for': 'ai-file', text: t('admin.ivr_file') }), file]),
    el('div', { 'class': 'field' }, [el('label', { 'for': 'ai-body', text: t('admin.ivr_text') }), body]),
    el('p', { 'class': 'hint', id: 'ai-body-hint', text: t('admin.ivr_hint') }),
    problemList(),
    el('div', { 'class': 'actions' }, [
      el('button', { type: 'button', id: 'ai-check', 'class': 'btn btn-secondary btn-small', text: t('admin.ivr_check') }),
      el('button', { type: 'submit', id: 'ai-apply', 'class': 'btn btn-primary btn-small', text: t('admin.ivr_apply') }),
      el('button', { type: 'button', id: 'ai-reset', 'class': 'btn btn-link btn-small', text: t('admin.ivr_reset') }),
    ]),
  ]);
  async function send(apply) {
    draft = $('ai-body').value;
    const res = apply ? await api.adminCall('PUT', 'ivr-menu', { body: draft }) : await api.checkIVRMenu(draft);
    problems = (!res.ok && res.data && res.data.error && res.data.error.problems) || [];
    let msg;
    if (res.ok) {
      if (apply) { ivr = res.data; draft = ivr.source; }
      msg = apply ? t('admin.ivr_applied', { version: res.data.version }) : t('admin.ivr_valid');
    } else {
      msg = (res.data && res.data.error && res.data.error.message) || t('admin.ivr_refused');
    }
    // The problems take the focus; else it stays on the pressed button.
    redrawSaid(msg, '#ivr-problems-box', apply ? '#ai-apply' : '#ai-check');
  }
  f.addEventListener('submit', (ev) => { ev.preventDefault(); send(true); });
  f.addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (!b) { return; }
    if (b.id === 'ai-check') { send(false); }
    if (b.id === 'ai-reset') { draft = ivr.source; problems = []; redrawSaid(undefined, '#ai-reset'); }
  });
  return [
    el('p', { 'class': 'hint', id: 'ivr-version', text: ivr.version ? t('admin.ivr_version', { version: ivr.version }) : t('admin.ivr_configured') }),
    el('h3', { text: t('admin.ivr_current') }), tree(ivr.tree), f,
  ];
}

export function mountAdminExtra() {
  addSection('categories', categoriesView, loadCategories, 'admin.queues');
  addSection('ivr', ivrView, loadIVR, 'admin.queues');
}
