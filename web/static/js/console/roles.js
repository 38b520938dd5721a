// Roles, a section of the queue board tab for admins who may define roles:
// every role with its permissions, a form to create or edit one (a
// checkbox per permission, grouped in a fieldset), and deleting a custom
// role no account holds (asked once more in its row). The three built-in
// roles cannot be deleted and the admin role keeps "define roles"; the
// server refuses otherwise and the refusal is shown. The account form
// (admin.js) lists the roles from here.
import * as store from './store.js';
import * as api from './api.js';
import { can } from './actions.js';
import { $, t, el, label, sayOutcome, tableOf, keepLive, redrawn, askInPlace, clearOnEdit } from './ui.js';

let root = null;
let roles = [];
let perms = [];
let editing = null; // null: none, '': a new role, else the role's name
let built = false;

const BUILT_IN = ['agent', 'supervisor', 'admin'];

// roleLabel: the built-in roles in the reader's language, others as named.
export function roleLabel(name) {
  if (BUILT_IN.indexOf(name) >= 0) { return label('role.', name); }
  const r = roles.find((x) => x.name === name);
  return r ? r.label : name;
}

// roleOptions: the roles an account may be given (built-in ones when the
// list has not been read).
export function roleOptions() {
  const names = BUILT_IN.concat(roles.map((r) => r.name).filter((n) => BUILT_IN.indexOf(n) < 0));
  return names.map((n) => ({ value: n, text: roleLabel(n) }));
}

export async function loadRoleOptions() {
  const res = await api.adminCall('GET', 'roles');
  if (res.ok && res.data) { roles = res.data.roles || []; perms = res.data.permissions || []; }
  return res;
}

// FIELDS: the server's field names and the form's controls.
const FIELDS = { name: 'rf-name', label: 'rf-label', permissions: 'rf-permissions' };

// say shows the outcome of a save or a deletion (sayOutcome): a refusal's
// errors beside every field it names, each marked.
function say(res, done) {
  return sayOutcome(root, live, res, done, FIELDS);
}

function table() {
  const rows = roles.map((r) => el('tr', { 'data-role': r.name }, [
    el('th', { scope: 'row', text: roleLabel(r.name) }),
    el('td', { text: r.name }),
    el('td', { text: (r.permissions || []).map((p) => label('perm.', p)).join(', ') }),
    el('td', { text: String(r.agents) }),
    el('td', {}, [
      el('button', { type: 'button', 'class': 'btn btn-small btn-secondary', 'data-act': 'edit', 'data-name': r.name,
        text: t('roles.edit', { name: roleLabel(r.name) }) }),
      r.built_in ? null : el('button', { type: 'button', 'class': 'btn btn-small btn-secondary', 'data-act': 'delete', 'data-name': r.name,
        text: t('roles.delete', { name: roleLabel(r.name) }) }),
    ].filter(Boolean)),
  ]));
  return tableOf(t('roles.caption'), [t('roles.col_label'), t('roles.col_name'), t('roles.col_permissions'), t('roles.col_agents'), t('admin.col_actions')], rows, 'roles-table');
}

function field(id, text, input, hint) {
  input.id = id;
  const kids = [el('label', { 'for': id, text }), input];
  if (hint) { input.setAttribute('aria-describedby', id + '-hint'); kids.push(el('p', { 'class': 'field-hint', id: id + '-hint', text: hint })); }
  kids.push(el('p', { 'class': 'field-error', id: id + '-error', hidden: true }));
  return el('div', { 'class': 'field' }, kids);
}

function form() {
  if (editing === null) {
    return el('p', {}, [el('button', { type: 'button', 'class': 'btn btn-primary', 'data-act': 'new', id: 'roles-new', text: t('roles.new') })]);
  }
  const r = roles.find((x) => x.name === editing) || { name: '', label: '', permissions: [] };
  const isNew = editing === '';
  const name = el('input', { type: 'text', autocomplete: 'off', value: r.name, required: true, pattern: '[a-z][a-z0-9_\\-]{1,31}' });
  if (!isNew) { name.readOnly = true; }
  const boxes = perms.map((p) => {
    const id = 'rf-perm-' + p.replace(/\./g, '-');
    const box = el('input', { type: 'checkbox', id, name: 'permissions', value: p });
    box.checked = (r.permissions || []).indexOf(p) >= 0;
    return el('div', { 'class': 'field-check' }, [box, el('label', { 'for': id, text: label('perm.', p) })]);
  });
  const f = el('form', { id: 'roles-form', 'class': 'admin-form', 'aria-labelledby': 'roles-form-title', novalidate: true }, [
    el('h4', { id: 'roles-form-title', text: isNew ? t('roles.new') : t('roles.edit', { name: roleLabel(r.name) }) }),
    field('rf-name', t('roles.col_name'), name, t('roles.name_hint')),
    field('rf-label', t('roles.col_label'), el('input', { type: 'text', autocomplete: 'off', value: r.label, required: true, maxlength: '60' })),
    el('fieldset', { id: 'rf-permissions' }, [el('legend', { text: t('roles.col_permissions') }), ...boxes,
      el('p', { 'class': 'field-error', id: 'rf-permissions-error', hidden: true })]),
    el('div', { 'class': 'form-actions' }, [
      el('button', { type: 'submit', 'class': 'btn btn-primary', id: 'roles-save', text: t('roles.save') }),
      el('button', { type: 'button', 'class': 'btn btn-secondary', 'data-act': 'cancel', text: t('roles.cancel') }),
    ]),
  ]);
  f.addEventListener('submit', save);
  return f;
}

// live is the status region, drawn once (see keepLive).
let live = null;

function draw() {
  if (!live) { live = el('p', { 'class': 'form-status', id: 'roles-live', role: 'status', 'aria-live': 'polite' }); }
  keepLive(root, live);
  live.textContent = ''; // redrawSaid says a change's outcome after the redraw
  root.prepend(el('h3', { id: 'roles-title', tabindex: '-1', text: t('roles.title') }));
  root.append(table(), form());
}

// redrawSaid draws the roles again after a change: the focus, lost with
// the control that had it, goes to the first of targets on screen, else
// to the heading; then done is said.
function redrawSaid(done, ...targets) {
  redrawn(root, draw, targets, '#roles-title', live, done);
}

async function save(ev) {
  ev.preventDefault();
  const isNew = editing === '';
  const body = {
    name: $('rf-name').value.trim(),
    label: $('rf-label').value,
    permissions: Array.from(root.querySelectorAll('input[name="permissions"]:checked')).map((b) => b.value),
  };
  const res = isNew ? await api.adminCall('POST', 'roles', body) : await api.adminCall('PUT', 'roles/' + encodeURIComponent(editing), body);
  if (!say(res, '')) { return; }
  editing = null;
  await loadRoleOptions();
  redrawSaid(t('roles.saved', { name: roleLabel(body.name) }), '#roles-new');
}

async function onClick(ev) {
  const b = ev.target.closest('button');
  if (!b || !root.contains(b) || b.type === 'submit') { return; }
  const act = b.getAttribute('data-act');
  const name = b.getAttribute('data-name');
  if (act === 'new') { editing = ''; draw(); $('rf-name').focus(); } else if (act === 'edit') { editing = name; draw(); $('rf-label').focus(); } else if (act === 'cancel') { editing = null; draw(); $('roles-new').focus(); } else if (act === 'delete') {
    const shown = roleLabel(name);
    askInPlace(b, 'roles-delete-question-' + name, t('roles.delete_confirm', { name: shown }), t('admin.delete_yes'), () => remove(name, shown));
  }
}

// remove deletes a role, once asked: a refusal (the role is held) is
// said, the focus left on its button; done, the focus goes to "new role".
async function remove(name, shown) {
  const res = await api.adminCall('DELETE', 'roles/' + encodeURIComponent(name));
  if (!say(res, '')) { return; }
  await loadRoleOptions();
  redrawSaid(t('roles.deleted', { name: shown }), '#roles-new');
}

export function mount() {
  const after = $('admin-mount');
  if (!after) { return; }
  root = $('roles-mount');
  if (!root) {
    root = el('section', { 'class': 'admin', id: 'roles-mount', 'aria-labelledby': 'roles-title', hidden: true });
    after.after(root);
  }
  root.addEventListener('click', onClick);
  clearOnEdit(root);
  store.on(['agent', 'boardShown'], async (s) => {
    const show = can(s.agent, 'admin.roles') && !!s.boardShown;
    root.hidden = !show;
    if (show && !built) { built = true; await loadRoleOptions(); draw(); }
    if (!show) { built = false; editing = null; root.textContent = ''; if (live) { live.textContent = ''; } }
  });
}
