// Admin screens, a section of the board tab that only admins see:
// accounts (add, edit, deactivate — every session ends and the open
// console is closed —, reactivate, reset password, role, queues, skills,
// capacity), queues (channels, categories, regions, skills, strategy,
// business hours per WIB/WITA/WIT with split shifts, overflow, SLA
// targets: adminsla.js), holidays per year (national days and cuti
// bersama), not-ready reasons, and the audit log with filters (who, what,
// when). Wrap-up codes and tags are kept in tagsadmin.js. Every change is
// audited by the server. A server's refusal is shown beside the field it
// names.
import * as store from './store.js';
import * as api from './api.js';
import { can, showTicket } from './actions.js';
import { roleOptions, loadRoleOptions, roleLabel } from './roles.js';
import { $, t, el, errorMessage, formatDate, label, tableOf, keepLive, redrawn, askInPlace, clearOnEdit, lang } from './ui.js';
import { slaFieldset, readSLA, showServiceDay } from './adminsla.js';

const mount = $('admin-mount');
const SECTIONS = ['agents', 'queues', 'holidays', 'reasons', 'audit'];
const ZONES = [['Asia/Jakarta', 'WIB'], ['Asia/Makassar', 'WITA'], ['Asia/Jayapura', 'WIT']];
// zoneOf is a queue's stored zone as the form's choice: the server takes
// WIB, WITA and WIT besides IANA names (internal/hours.LoadZone), and a
// queue saved with an alias must come back to its own choice, not to an
// empty select whose save would move the queue to WIB. Another IANA name
// (Asia/Pontianak, say) is kept as it is (see zoneChoices).
const zoneOf = (z) => (ZONES.find((x) => x[1] === String(z || '').toUpperCase()) || [z || 'Asia/Jakarta'])[0];
const zoneName = (z) => (ZONES.find((x) => x[0] === zoneOf(z)) || [z, z])[1];
// zoneChoices are the three zones of Indonesia and, when the queue holds
// another, that one too, so saving the form unchanged keeps it.
const zoneChoices = (cur) => (ZONES.some((x) => x[0] === cur) ? ZONES : ZONES.concat([[cur, cur]]))
  .map((z) => el('option', { value: z[0], text: z[0] === z[1] ? z[0] : z[1] + ' (' + z[0] + ')' }));
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
let section = 'agents';
let cache = { agents: [], queues: [], reasons: [], audit: [], categories: [] };

// The permission each section needs (internal/permission): a role sees
// the sections it may open, and the admin area when it may open one.
const NEEDS = { agents: 'admin.agents', queues: 'admin.queues', holidays: 'admin.queues', reasons: 'admin.queues', audit: 'audit.view' };
const allowed = (a) => SECTIONS.filter((s) => can(a, NEEDS[s]));
const isAdmin = (a) => allowed(a).length > 0;
const list = (v) => String(v || '').split(',').map((x) => x.trim()).filter(Boolean);

// More sections (adminextra.js) register here: name → {view, load}.
const extra = {};
export function addSection(name, view, load, need) { SECTIONS.push(name); extra[name] = { view, load }; NEEDS[name] = need; }
export function redraw() { draw(); }
// redrawSaid draws the section again after a change: the focus, lost with
// the control that had it, goes to the first of targets (selectors) on
// screen, else to the section's heading; then done (when given) is said.
export function redrawSaid(done, ...targets) {
  redrawn(mount, draw, targets, '#admin-section-title', live(), done);
}

// live is the screen's status region, drawn once (see keepLive).
let liveNode = null;
function live() {
  if (!liveNode) { liveNode = el('p', { 'class': 'form-status', id: 'admin-live', role: 'status', 'aria-live': 'polite' }); }
  return liveNode;
}

export function field(id, text, input) {
  input.id = id;
  return el('div', { 'class': 'field' }, [el('label', { 'for': id, text }), input,
    el('p', { 'class': 'field-error', id: id + '-error', hidden: true })]);
}
export const input = (attrs) => el('input', Object.assign({ type: 'text', autocomplete: 'off' }, attrs || {}));

// choices is a list the API keeps as codes (a queue's channels, an
// account's queues) offered as one labelled checkbox per option, so an
// admin picks names instead of typing codes. A value held but not
// offered (a queue since renamed away, say) stays as an option, ticked,
// so saving the form unchanged keeps it. The group (id) takes the field's
// error and the focus when it is refused (say); picked(id) reads it.
// A long list (folded) is shut under a line naming what is ticked.
export function choices(id, legend, options, held, hint, folded) {
  const on = new Set(held || []);
  const all = options.concat([...on].filter((v) => !options.some((o) => o.value === v)).map((v) => ({ value: v, text: v })));
  let boxes = el('div', { 'class': 'choice-list' + (folded ? ' choice-grid' : '') }, all.map((o) => el('label', { 'class': 'check' }, [
    el('input', { type: 'checkbox', name: id, value: o.value, checked: on.has(o.value) ? true : null }), ' ' + o.text])));
  if (folded) {
    const summary = el('summary', {});
    const sum = () => {
      const names = all.filter((o) => boxes.querySelector('input[value="' + CSS.escape(o.value) + '"]').checked).map((o) => o.text);
      summary.textContent = names.length ? t('admin.chosen', { names: names.join(', ') }) : t('admin.chosen_none');
    };
    boxes.addEventListener('change', sum);
    boxes = el('details', { 'class': 'choice-fold' }, [summary, boxes]);
    sum();
  }
  return group(id, legend, hint, boxes);
}
// picked reads a list field: the values ticked, or the codes typed where
// the list is offered as text (queuesChoice, categoriesChoice).
export function picked(id) {
  const n = $(id);
  if (n && n.tagName === 'INPUT') { return list(n.value); }
  return [...document.querySelectorAll('#' + CSS.escape(id) + ' input[type=checkbox]:checked')].map((b) => b.value);
}
// group is the shell of controls the API takes as one field (id): a
// fieldset with its legend, a hint, and the field's error, beside which
// say shows a refusal and which it focuses.
function group(id, legend, hint, body) {
  return el('fieldset', { 'class': 'field choices', id, tabindex: '-1', 'aria-describedby': (hint ? id + '-hint ' : '') + id + '-error' }, [
    el('legend', { text: legend }),
    hint ? el('p', { 'class': 'hint', id: id + '-hint', text: hint }) : null,
    body,
    el('p', { 'class': 'field-error', id: id + '-error', hidden: true }),
  ]);
}
const CHANNELS = ['whatsapp', 'voice', 'livechat', 'webform'];

// say shows the outcome; a refusal's field errors go beside their fields
// (prefix + field name, or + ids[field] where the form names it otherwise),
// the first one on screen focused; each goes once its field is edited
// (clearOnEdit).
export function say(res, done, prefix, ids) {
  mount.querySelectorAll('.field-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
  mount.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
  const box = live();
  box.classList.toggle('form-status-error', !res.ok);
  if (res.ok) { box.textContent = done; return true; }
  const f = res.data && res.data.error && res.data.error.fields;
  const marked = [];
  Object.keys(f || {}).forEach((k) => {
    const name = prefix + '-' + ((ids && ids[k]) || k.replace(/_/g, '-'));
    const p = $(name + '-error');
    const control = $(name);
    if (p) { p.textContent = f[k]; p.hidden = false; }
    if (p && control) {
      control.setAttribute('aria-invalid', 'true');
      marked.push(control);
      // A list folded away opens, so what is refused can be seen.
      control.querySelectorAll('details').forEach((d) => { d.open = true; });
    }
  });
  box.textContent = f ? Object.keys(f).map((k) => f[k]).join(' ') : errorMessage(res);
  // The first wrong field on screen takes the focus, whatever order the
  // server named them in.
  marked.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  if (marked.length) { marked[0].focus(); }
  return false;
}

async function load(what) {
  const path = { agents: 'agents', queues: 'queues', reasons: 'not-ready-reasons' }[what];
  const res = await api.adminCall('GET', path);
  if (res.ok && res.data) {
    cache[what] = res.data[what] || res.data.agents || [];
    if (res.data.provinces) { cache.provinces = res.data.provinces; }
  }
}

// ---- accounts -----------------------------------------------------------

// switchOf is an account's deactivate or reactivate control: nothing to
// press on the admin's own account (the server refuses it), else the
// button. Deactivating ends every session of the person and closes their
// console, so it is asked once more in place (askInPlace).
function switchOf(a) {
  const id = String(a.id);
  if (a.deactivated) {
    return [el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-act': 'reactivate', 'data-id': id, text: t('admin.reactivate'),
      'aria-label': t('admin.reactivate_named', { name: a.name }) })];
  }
  if (store.get().agent && store.get().agent.id === a.id) {
    return [el('span', { 'class': 'muted small admin-own', text: t('admin.deactivate_own') })];
  }
  return [el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-act': 'deactivate', 'data-id': id, text: t('admin.deactivate'),
    'aria-label': t('admin.deactivate_named', { name: a.name }) })];
}

function agentsView() {
  const rows = cache.agents.map((a) => el('tr', { 'data-agent': String(a.id), 'class': a.deactivated ? 'admin-off' : '' }, [
    el('th', { scope: 'row', text: a.name }),
    el('td', { text: a.email }),
    el('td', { text: roleLabel(a.role) }),
    el('td', { text: a.deactivated ? '⊘ ' + t('admin.deactivated') : label('presence.', a.presence) }),
    el('td', {}, [
      el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-act': 'edit', 'data-id': String(a.id), text: t('admin.edit'),
        'aria-label': t('admin.edit_named', { name: a.name }) }),
      ' ',
      ...switchOf(a),
    ]),
  ]));
  return [
    tableOf(t('admin.agents_caption'), [t('admin.col_name'), t('admin.col_email'), t('admin.col_role'), t('admin.col_state'), t('admin.col_actions')], rows, 'admin-agents'),
    agentForm(),
  ];
}

function roleSelect() {
  return el('select', {}, roleOptions().map((r) => el('option', { value: r.value, text: r.text })));
}

let editing = 0;
function agentForm() {
  const a = cache.agents.find((x) => x.id === editing);
  const f = el('form', { id: 'admin-agent-form', 'class': 'admin-form', novalidate: true }, [
    el('h3', { text: a ? t('admin.agent_edit', { name: a.name }) : t('admin.agent_new') }),
    field('aa-name', t('admin.col_name'), input({ value: a ? a.name : '' })),
    field('aa-email', t('admin.col_email'), input({ type: 'email', value: a ? a.email : '', spellcheck: 'false' })),
    field('aa-password', a ? t('admin.new_password') : t('admin.password'), input({ type: 'password', autocomplete: 'new-password' })),
    field('aa-role', t('admin.col_role'), roleSelect()),
    field('aa-capacity', t('admin.capacity'), input({ type: 'number', min: '0', max: '1000', value: a ? String(a.capacity) : '10' })),
    queuesChoice([]),
    field('aa-skills', t('admin.skills'), input({ spellcheck: 'false', placeholder: 'kartu=3, bahasa_jawa=2' })),
    capacityFields({}, !!a),
    el('div', { 'class': 'actions' }, [
      // An account edited is saved once its routing profile is shown: a
      // save before would send its queues as none and take them all away.
      el('button', { type: 'submit', id: 'aa-save', 'class': 'btn btn-primary btn-small', text: a ? t('admin.save') : t('admin.add_agent'),
        disabled: a ? true : null }),
      a ? el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', 'data-act': 'new', text: t('admin.cancel') }) : null,
    ]),
  ]);
  setTimeout(() => {
    if (a) { $('aa-role').value = a.role; loadProfile(a.id); }
  }, 0);
  f.addEventListener('submit', (ev) => { ev.preventDefault(); saveAgent(a); });
  return f;
}

// queuesChoice is an account's queues: by name when the admin may read
// the queues (admin.queues), else as codes typed.
function queuesChoice(held) {
  if (!cache.queues.length) { return field('aa-queues', t('admin.queues_codes'), input({ spellcheck: 'false', value: held.join(', ') })); }
  return choices('aa-queues', t('admin.queues'), cache.queues.map((q) => ({ value: q.code, text: q.name })), held);
}

// capacityFields is an account's capacity per channel: a number per
// channel, empty for the channel's default. An account edited shows its
// own capacities (own) and, beside each channel, the default in force
// (defaults); a field emptied there gives the channel back to its default,
// which then follows the configuration. A channel held that the console
// does not name keeps its own field.
function capacityFields(own, edited, defaults) {
  const chans = CHANNELS.concat(Object.keys(Object.assign({}, defaults, own)).filter((c) => CHANNELS.indexOf(c) < 0));
  return group('aa-channels', t('admin.channel_capacity'), t(edited ? 'admin.channel_capacity_hint_edit' : 'admin.channel_capacity_hint'),
    el('div', { 'class': 'choice-list' }, chans.map((c) => {
      const known = defaults && defaults[c] != null;
      // The default is the field's description, not part of its name.
      return el('label', { 'class': 'cap' }, [el('span', { text: label('channel.', c) }),
        input({ type: 'number', min: '0', max: '1000', step: '1', inputmode: 'numeric', id: 'aa-cap-' + c, 'data-channel': c,
          value: own[c] != null ? String(own[c]) : '', 'aria-describedby': known ? 'aa-cap-' + c + '-default' : null }),
        known ? el('span', { 'class': 'muted', id: 'aa-cap-' + c + '-default', 'aria-hidden': 'true', text: t('admin.channel_default', { n: defaults[c] }) }) : null]);
    })));
}
// readCapacities is the capacities typed, by channel; bad is the first
// field that holds no whole number from 0 to 1000 (a number field holding
// text reads as empty, which must not pass for "the default"). An empty
// field is sent as null (back to the default) when edited is set, and not
// at all on a new account.
function readCapacities(edited) {
  const caps = {};
  let bad = null;
  document.querySelectorAll('#aa-channels input[data-channel]').forEach((i) => {
    const v = i.value.trim();
    if (i.validity.badInput || (v !== '' && !(/^\d+$/.test(v) && Number(v) <= 1000))) {
      bad = bad || i;
    } else if (v !== '') {
      caps[i.dataset.channel] = Number(v);
    } else if (edited) {
      caps[i.dataset.channel] = null;
    }
  });
  return { caps, bad };
}

const pairs = (o) => Object.keys(o || {}).map((k) => k + '=' + o[k]).join(', ');
function parsePairs(v) {
  const out = {};
  list(v).forEach((p) => { const [k, n] = p.split('='); if (k) { out[k.trim()] = Number(n); } });
  return out;
}

// ownKnown: the account's profile, as read, tells its own channel
// capacities from the defaults (loadProfile).
let ownKnown = false;

async function loadProfile(id) {
  const res = await api.adminCall('GET', 'agents/' + id + '/routing');
  if (editing !== id || !$('aa-save')) { return; } // another form drawn meanwhile
  if (!res.ok || !res.data) {
    say(res, '', 'aa');
    return;
  }
  const p = res.data.agent || {};
  const box = $('aa-queues');
  if (box.tagName === 'INPUT') { box.value = (p.queues || []).join(', '); } else { box.replaceWith(queuesChoice(p.queues || [])); }
  $('aa-skills').value = pairs(p.skills);
  // A server that does not tell own capacities from defaults (an older
  // instance during an upgrade) would read a null as 0: the form then
  // shows the capacities in force and sends only the fields filled.
  ownKnown = !!p.channel_own;
  $('aa-channels').replaceWith(capacityFields(ownKnown ? p.channel_own : (p.channel_capacity || {}), true, p.channel_default));
  $('aa-save').disabled = false;
}

async function saveAgent(a) {
  const { caps, bad } = readCapacities(!!a && ownKnown);
  if (bad) {
    say({ ok: false, data: { error: { fields: { channel_capacity: t('admin.capacity_whole', { channel: label('channel.', bad.dataset.channel) }) } } } },
      '', 'aa', { channel_capacity: 'channels' });
    bad.setAttribute('aria-invalid', 'true');
    bad.focus();
    return;
  }
  const body = { name: $('aa-name').value, email: $('aa-email').value, role: $('aa-role').value, capacity: Number($('aa-capacity').value || 0) };
  let res;
  let id = a ? a.id : 0;
  if (a) {
    res = await api.adminCall('PUT', 'agents/' + id, body);
    if (res.ok && $('aa-password').value) { res = await api.adminCall('POST', 'agents/' + id + '/password', { password: $('aa-password').value }); }
  } else {
    res = await api.createAgent(Object.assign(body, { password: $('aa-password').value, queues: picked('aa-queues') }));
    if (res.ok) { id = res.data.agent.id; }
  }
  if (res.ok && (a || $('aa-skills').value || Object.keys(caps).length)) {
    res = await api.adminCall('PUT', 'agents/' + id + '/routing', { queues: picked('aa-queues'), skills: parsePairs($('aa-skills').value),
      capacity: body.capacity, channel_capacity: caps });
  }
  if (say(res, '', 'aa', { channel_capacity: 'channels' })) {
    editing = 0;
    await load('agents');
    redrawSaid(a ? t('admin.saved') : t('admin.agent_added', { name: body.name }), '[data-act="edit"][data-id="' + id + '"]');
  }
}

// ---- queues and holidays --------------------------------------------------

// Days are read and written in the admin's language ("sen 08:00-12:00");
// the codes the API keeps ("mon") are taken too.
const dayWords = () => t('admin.day_words').split(/\s+/); // in DAYS order
const dayWord = (d) => dayWords()[DAYS.indexOf(d)] || d;
const dayCode = (w) => (dayWords().indexOf(w) >= 0 ? DAYS[dayWords().indexOf(w)] : w);

function hoursText(h) { return DAYS.filter((d) => h && h[d] && h[d].length).map((d) => dayWord(d) + ' ' + h[d].join(' ')).join('\n'); }
// "08.00-16.00" (the usual way of writing a time here) reads as 08:00-16:00.
// For the service day shown as the admin types; the queue is saved with
// the text as typed (hours_text), which the server reads and whose
// problems it names by line.
function parseHours(v) {
  const out = {};
  String(v || '').split('\n').map((l) => l.trim()).filter(Boolean).forEach((l) => {
    const [day, ...spans] = l.split(/\s+/);
    out[dayCode(day.toLowerCase())] = spans.map((x) => x.replace(/\b(\d{1,2})\.(\d{2})\b/g, '$1:$2'));
  });
  return out;
}
// badLines is the line numbers (from 1) of text's non-empty lines that ok
// refuses, joined for a message; '' when every line is fine.
function badLines(text, ok) {
  const bad = [];
  String(text || '').split('\n').forEach((l, i) => { if (l.trim() && !ok(l.trim().split(/\s+/))) { bad.push(i + 1); } });
  return bad.join(', ');
}
const HOLIDAY_KINDS = ['national', 'nasional', 'cuti', 'joint_leave'];
const holidayLine = (w) => w.length >= 3 && /^\d{4}-\d{2}-\d{2}$/.test(w[0]) && HOLIDAY_KINDS.indexOf(w[1]) >= 0;
let queueEditing = '';
// categoriesChoice is a queue's categories by their labels in the admin's
// language (the complaint categories, the product's list); codes typed
// when that list could not be read.
function categoriesChoice(held) {
  if (!cache.categories.length) { return field('aq-categories', t('admin.categories'), input({ value: held.join(', '), spellcheck: 'false' })); }
  const en = /^en/i.test(lang);
  return choices('aq-categories', t('admin.categories_named'), cache.categories.map((c) => ({ value: c.code, text: (en && c.label_en) || c.label_id || c.code })),
    held, t('admin.queue_categories_hint'));
}
// overflowSelect offers the other queues by name as q's overflow, and
// none; a code held that names no queue stays offered as it is.
function overflowSelect(q) {
  const others = cache.queues.filter((x) => x.code !== q.code).map((x) => [x.code, x.name]);
  if (q.overflow_queue && !others.some((o) => o[0] === q.overflow_queue)) { others.push([q.overflow_queue, q.overflow_queue]); }
  return el('select', {}, [['', t('admin.overflow_none')]].concat(others).map((o) => el('option', { value: o[0], text: o[1] })));
}
function queuesView() {
  const rows = cache.queues.map((q) => el('tr', { 'data-queue': q.code }, [
    el('th', { scope: 'row', text: q.name }),
    el('td', { 'class': 'mono', text: q.code }),
    el('td', { text: (q.channels || []).map((c) => label('channel.', c)).join(', ') || t('admin.all') }),
    el('td', { text: zoneName(q.time_zone) }),
    el('td', { 'class': 'admin-hours', text: hoursText(q.hours) || t('admin.always_open') }),
    el('td', {}, [el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-act': 'queue', 'data-code': q.code, text: t('admin.edit'),
      'aria-label': t('admin.edit_named', { name: q.name }) })]),
  ]));
  const q = cache.queues.find((x) => x.code === queueEditing) || {};
  const zone = el('select', {}, zoneChoices(zoneOf(q.time_zone)));
  const strategy = el('select', {}, ['least_busy', 'round_robin', 'skills'].map((s) => el('option', { value: s, text: label('admin.strategy_', s) })));
  const f = el('form', { id: 'admin-queue-form', 'class': 'admin-form', novalidate: true }, [
    el('h3', { text: queueEditing ? t('admin.queue_edit', { name: q.name }) : t('admin.queue_new') }),
    field('aq-code', t('admin.queue_code'), input({ value: q.code || '', spellcheck: 'false', readonly: queueEditing ? true : null })),
    field('aq-name', t('admin.col_name'), input({ value: q.name || '' })),
    choices('aq-channels', t('admin.channels'), CHANNELS.map((c) => ({ value: c, text: label('channel.', c) })), q.channels, t('admin.channels_hint')),
    categoriesChoice(q.categories || []),
    choices('aq-provinces', t('admin.provinces'), (cache.provinces || []).map((p) => ({ value: p.code, text: p.name + ' (' + p.code + ')' })), q.provinces,
      t('admin.provinces_hint'), true),
    field('aq-skills', t('admin.queue_skills'), input({ value: (q.skills || []).join(', '), spellcheck: 'false' })),
    field('aq-strategy', t('admin.strategy'), strategy),
    field('aq-zone', t('admin.time_zone'), zone),
    field('aq-hours', t('admin.hours'), el('textarea', { rows: '7', spellcheck: 'false', 'aria-describedby': 'aq-hours-hint', text: hoursText(q.hours) })),
    el('p', { 'class': 'hint', id: 'aq-hours-hint', text: t('admin.hours_hint', { days: dayWords().join(' ') }) }),
    field('aq-overflow', t('admin.overflow_queue'), overflowSelect(q)),
    field('aq-overflow-after', t('admin.overflow_after'), input({ type: 'number', min: '0', value: String(q.overflow_after_seconds || 0) })),
    slaFieldset(q.sla, q.hours || {}),
    el('div', { 'class': 'actions' }, [el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', text: t('admin.save_queue') }),
      queueEditing ? el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', 'data-act': 'queue', 'data-code': '', text: t('admin.cancel') }) : null]),
  ]);
  setTimeout(() => { $('aq-zone').value = zoneOf(q.time_zone); $('aq-strategy').value = q.strategy || 'least_busy'; $('aq-overflow').value = q.overflow_queue || ''; }, 0);
  f.addEventListener('input', (ev) => {
    if (ev.target.id !== 'aq-hours') { return; }
    showServiceDay(parseHours(ev.target.value));
  });
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const code = $('aq-code').value.trim();
    if (!code) { say({ ok: false, data: { error: { fields: { code: t('validation.required') } } } }, '', 'aq'); return; }
    const sla = readSLA();
    if (sla.bad) {
      // say marks the whole control; the target at fault is the one marked
      // and focused.
      say({ ok: false, data: { error: { fields: { sla: sla.message } } } }, '', 'aq');
      sla.bad.setAttribute('aria-invalid', 'true');
      sla.bad.focus();
      return;
    }
    const body = { name: $('aq-name').value, channels: picked('aq-channels'), categories: picked('aq-categories'),
      provinces: picked('aq-provinces'), skills: list($('aq-skills').value), strategy: $('aq-strategy').value,
      time_zone: $('aq-zone').value, hours_text: $('aq-hours').value, overflow_queue: $('aq-overflow').value,
      overflow_after_seconds: Number($('aq-overflow-after').value || 0), sla: sla.sla };
    const res = await api.adminCall('PUT', 'queues/' + encodeURIComponent(code), body);
    const ids = { time_zone: 'zone', overflow_queue: 'overflow', overflow_after_seconds: 'overflow-after' };
    if (say(res, '', 'aq', ids)) {
      queueEditing = ''; await load('queues');
      redrawSaid(t('admin.queue_saved', { name: body.name }), '[data-act="queue"][data-code="' + CSS.escape(code) + '"]');
    }
  });
  return [tableOf(t('admin.queues_caption'), [t('admin.col_name'), t('admin.queue_code'), t('admin.channels'), t('admin.time_zone'), t('admin.hours'), t('admin.col_actions')], rows, 'admin-queues'), f];
}

let holidayYear = new Date().getFullYear();
function holidaysView() {
  const f = el('form', { id: 'admin-holiday-form', 'class': 'admin-form', novalidate: true }, [
    field('ah-year', t('admin.year'), input({ type: 'number', min: '2000', max: '2100', value: String(holidayYear) })),
    el('div', { 'class': 'actions' }, [el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', 'data-act': 'holidays-load', text: t('admin.show_year') })]),
    field('ah-days', t('admin.holidays'), el('textarea', { rows: '10', spellcheck: 'false', 'aria-describedby': 'ah-hint' })),
    el('p', { 'class': 'hint', id: 'ah-hint', text: t('admin.holidays_hint') }),
    el('div', { 'class': 'actions' }, [el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', text: t('admin.save_holidays') })]),
  ]);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    holidayYear = Number($('ah-year').value);
    // A line without its kind would lose a word of its name to it.
    const bad = badLines($('ah-days').value, holidayLine);
    if (bad) { say({ ok: false, data: { error: { fields: { days: t('admin.lines_invalid', { lines: bad }) } } } }, '', 'ah'); return; }
    const holidays = $('ah-days').value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [day, kind, ...name] = l.split(/\s+/);
      return { day, kind: kind === 'cuti' || kind === 'joint_leave' ? 'joint_leave' : 'national', name: name.join(' ') };
    });
    const res = await api.adminCall('PUT', 'holidays/' + holidayYear, { holidays });
    if (say(res, t('admin.holidays_saved', { year: holidayYear, n: holidays.length }), 'ah')) { loadHolidays(); }
  });
  setTimeout(loadHolidays, 0);
  return [f];
}

async function loadHolidays() {
  holidayYear = Number($('ah-year').value || holidayYear);
  const res = await api.adminCall('GET', 'holidays/' + holidayYear);
  if (res.ok && res.data && $('ah-days')) {
    $('ah-days').value = (res.data.holidays || []).map((h) => h.day + ' ' + (h.kind === 'joint_leave' ? 'cuti' : t('admin.holiday_national')) + ' ' + h.name).join('\n');
    $('ah-days').dataset.year = String(holidayYear);
  }
}

// ---- not-ready reasons ------------------------------------------------------

function reasonsView() {
  const rows = cache.reasons.map((r) => el('tr', { 'data-reason': r.code }, [
    el('th', { scope: 'row', 'class': 'mono', text: r.code }),
    el('td', { text: r.label_id }), el('td', { lang: 'en', text: r.label_en }),
    el('td', { 'class': 'num', text: r.limit_seconds ? String(r.limit_seconds) : '—' }),
    el('td', { text: r.retired ? '⊘ ' + t('admin.retired') : t('admin.in_use') }),
    el('td', {}, [el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-act': 'retire', 'data-id': String(r.id),
      text: r.retired ? t('admin.restore') : t('admin.retire'), 'aria-label': (r.retired ? t('admin.restore') : t('admin.retire')) + ' ' + r.code })]),
  ]));
  const f = el('form', { id: 'admin-reason-form', 'class': 'admin-form', novalidate: true }, [
    el('h3', { text: t('admin.reason_new') }),
    field('ar-code', t('admin.reason_code'), input({ spellcheck: 'false' })),
    field('ar-label-id', t('admin.label_id'), input()),
    field('ar-label-en', t('admin.label_en'), input({ lang: 'en' })),
    field('ar-limit-seconds', t('admin.reason_limit'), input({ type: 'number', min: '0', value: '0' })),
    el('div', { 'class': 'actions' }, [el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', text: t('admin.add_reason') })]),
  ]);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { code: $('ar-code').value, label_id: $('ar-label-id').value, label_en: $('ar-label-en').value,
      limit_seconds: Number($('ar-limit-seconds').value || 0), position: cache.reasons.length + 1 };
    const res = await api.adminCall('POST', 'not-ready-reasons', body);
    if (say(res, '', 'ar')) { await load('reasons'); redrawSaid(t('admin.saved'), '#ar-code'); }
  });
  return [tableOf(t('admin.reasons_caption'), [t('admin.reason_code'), t('admin.label_id'), t('admin.label_en'), t('admin.reason_limit'), t('admin.col_state'), t('admin.col_actions')], rows, 'admin-reasons'), f];
}

// ---- audit log ----------------------------------------------------------------

function auditView() {
  const who = el('select', {}, [el('option', { value: '', text: t('admin.anyone') }),
    ...cache.agents.map((a) => el('option', { value: String(a.id), text: a.name }))]);
  const f = el('form', { id: 'admin-audit-form', 'class': 'admin-form admin-filters', novalidate: true }, [
    field('au-agent-id', t('admin.who'), who),
    // The actions in words, settings then ticket lines; each filters by
    // its stored code.
    field('au-action', t('admin.what'), el('select', { 'aria-describedby': 'au-action-hint' }, [el('option', { value: '', text: t('admin.any_action') }),
      ...[['settings', t('admin.audit_group_settings')], ['tickets', t('admin.audit_group_tickets')]].map(([g, name]) => el('optgroup', { label: name },
        auditActions.filter((a) => a.group === g).map((a) => el('option', { value: a.code, text: a.label }))))])),
    el('p', { 'class': 'hint', id: 'au-action-hint', text: t('admin.what_hint') }),
    field('au-from', t('admin.from'), input({ type: 'date' })),
    field('au-to', t('admin.to'), input({ type: 'date' })),
    el('div', { 'class': 'actions' }, [el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', text: t('admin.filter') })]),
  ]);
  f.addEventListener('submit', (ev) => { ev.preventDefault(); loadAudit(); });
  const rows = cache.audit.map((e) => el('tr', {}, [
    el('td', { text: formatDate(e.created_at) }),
    el('td', { text: e.agent_name || '—' }),
    // A settings change reads as words (the server's summary), its code
    // under it for the action filter.
    e.summary ? el('th', { scope: 'row', 'class': 'audit-what' }, [el('span', { 'class': 'audit-summary', text: e.summary }),
      el('span', { 'class': 'mono audit-action', text: e.action })]) : el('th', { scope: 'row', 'class': 'mono', text: e.action }),
    // The ticket a line is about opens in the console, as the board's
    // links do.
    el('td', {}, [e.ticket_id ? el('a', { href: '#ticket-' + e.ticket_id, 'class': 'mono', 'data-audit-ticket': e.ticket_id,
      text: t('lifecycle.board.ticket', { id: e.ticket_id }) }) : '—']),
    el('td', { 'class': 'admin-detail' }, auditDetail(e)),
  ]));
  const more = auditMore ? el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', id: 'au-more', text: t('admin.audit_more') }) : null;
  if (more) { more.addEventListener('click', () => loadAudit(true)); }
  return [f, tableOf(t('admin.audit_caption'), [t('admin.when'), t('admin.who'), t('admin.what'), t('admin.audit_ticket'), t('admin.detail')], rows, 'admin-audit'),
    cache.audit.length ? null : el('p', { 'class': 'muted', text: t('admin.audit_empty') }), more];
}

// auditDetail is a line's detail: for a settings change in words, what
// was sent as labelled values and the stored line, exact, behind a
// disclosure; otherwise the stored line.
function auditDetail(e) {
  if (!e.summary) { return [e.detail]; }
  const out = [];
  if ((e.fields || []).length) {
    out.push(el('dl', { 'class': 'audit-fields' }, e.fields.map((f) => el('div', {}, [el('dt', { text: f.label }), auditValue(f)]))));
  }
  out.push(el('details', { 'class': 'audit-raw' }, [el('summary', { text: t('audit.raw') }), el('code', { 'class': 'mono', text: e.detail })]));
  return out;
}

// auditValue is a field's value; a changed one reads old → new, the
// arrow said as a word to a screen reader and the new value in bold, so
// which is which never rests on the arrow alone.
function auditValue(f) {
  if (!f.changed) { return el('dd', { text: f.value }); }
  return el('dd', { 'class': 'audit-change' }, [el('span', { 'class': 'audit-from', text: f.from }),
    el('span', { 'class': 'audit-arrow', 'aria-hidden': 'true', text: ' → ' }),
    el('span', { 'class': 'visually-hidden', text: ' ' + t('audit.became') + ' ' }),
    el('strong', { 'class': 'audit-to', text: f.to })]);
}

// AUDIT_PAGE is how many lines the server gives at a time: a full page
// may have older lines behind it (auditMore), read with before_id.
const AUDIT_PAGE = 100;
let auditMore = false;
// auditActions: the action filter's choices, as the server words them.
let auditActions = [];
let auditSeq = 0;

// loadAudit reads the newest lines of the filter; more: the page after
// the lines shown, added below them.
async function loadAudit(more) {
  const q = new URLSearchParams();
  [['agent_id', 'au-agent-id'], ['action', 'au-action'], ['from', 'au-from'], ['to', 'au-to']].forEach(([k, id]) => {
    const n = $(id);
    if (n && n.value) { q.set(k, n.value); }
  });
  if (more === true && cache.audit.length) { q.set('before_id', String(cache.audit[cache.audit.length - 1].id)); }
  const keep = { agent: $('au-agent-id') ? $('au-agent-id').value : '', action: $('au-action') ? $('au-action').value : '',
    from: $('au-from') ? $('au-from').value : '', to: $('au-to') ? $('au-to').value : '' };
  // Only the newest read is drawn: the section's first read coming back
  // after a filtered one would put every line back under the filter.
  const seq = ++auditSeq;
  const res = await api.adminCall('GET', 'audit?' + q.toString());
  if (seq !== auditSeq) { return; }
  if (!say(res, '', 'au')) { return; }
  const page = res.data.entries || [];
  auditActions = res.data.actions || auditActions;
  cache.audit = more === true ? cache.audit.concat(page) : page;
  auditMore = page.length >= AUDIT_PAGE;
  redrawn(mount, () => {
    draw();
    $('au-agent-id').value = keep.agent; $('au-action').value = keep.action; $('au-from').value = keep.from; $('au-to').value = keep.to;
  }, more === true ? ['#au-more'] : ['#admin-audit-form [type="submit"]'], '#admin-section-title', live(), t('admin.audit_count', { n: cache.audit.length }));
}

// ---- frame ----------------------------------------------------------------------

// draw draws the admin area again, all but its status region, which it
// empties: what it said is about what was on screen (redrawSaid says the
// outcome of a change after the redraw).
function draw() {
  keepLive(mount, live());
  live().textContent = '';
  live().classList.remove('form-status-error');
  const nav = el('div', { 'class': 'admin-nav', role: 'group', 'aria-label': t('admin.sections') }, allowed(store.get().agent).map((s) =>
    el('button', { type: 'button', id: 'admin-nav-' + s, 'class': 'btn btn-small ' + (s === section ? 'btn-primary' : 'btn-secondary'),
      'aria-pressed': s === section ? 'true' : 'false', 'data-section': s, text: label('admin.section_', s) })));
  const views = { agents: agentsView, queues: queuesView, holidays: holidaysView, reasons: reasonsView, audit: auditView };
  Object.keys(extra).forEach((k) => { views[k] = extra[k].view; });
  mount.prepend(el('h2', { id: 'admin-title', text: t('admin.title') }), nav);
  mount.append(el('h3', { id: 'admin-section-title', tabindex: '-1', text: label('admin.section_', section) }), ...views[section]().filter(Boolean));
}

// show draws section s; chosen: the admin picked it in the admin
// navigation, whose button then keeps the focus. On the tab's first
// display the focus stays where the tab put it (and the page at the top
// of the board).
async function show(s, chosen) {
  section = s;
  // The audit's "who" filter names accounts when the role may list them.
  if (s === 'agents' || (s === 'audit' && can(store.get().agent, NEEDS.agents))) { await load('agents'); }
  if (s === 'agents') { await loadRoleOptions(); }
  // An account's queues are offered by name to an admin who may read them.
  if (s === 'agents' && can(store.get().agent, NEEDS.queues)) { await load('queues'); }
  if (s === 'queues') {
    await load('queues');
    const res = await api.adminCall('GET', 'complaint-categories');
    cache.categories = res.ok && res.data ? res.data.categories || [] : [];
  }
  if (s === 'reasons') { await load('reasons'); }
  if (extra[s] && extra[s].load) { await extra[s].load(); }
  draw();
  if (s === 'audit') { await loadAudit(); }
  const b = chosen ? $('admin-nav-' + s) : null;
  if (b) { b.focus(); }
}

async function onClick(ev) {
  // A ticket of the audit log opens as the board's other links open theirs,
  // the focus in it.
  const a = ev.target.closest && ev.target.closest('a[data-audit-ticket]');
  if (a) { ev.preventDefault(); showTicket(Number(a.getAttribute('data-audit-ticket'))); return; }
  const b = ev.target.closest('button');
  if (!b || !mount.contains(b) || b.type === 'submit') { return; }
  const s = b.getAttribute('data-section');
  if (s) { show(s, true); return; }
  const act = b.getAttribute('data-act');
  const id = Number(b.getAttribute('data-id'));
  if (act === 'deactivate') {
    const a = cache.agents.find((x) => x.id === id);
    askInPlace(b, 'aa-deactivate-question-' + id, t('admin.deactivate_confirm', { name: a ? a.name : '' }), t('admin.deactivate_yes'),
      () => setActive(id, false), { yes: { 'data-act': 'deactivate-yes', 'data-id': String(id) }, no: { 'data-act': 'deactivate-no', 'data-id': String(id) } });
  } else if (act === 'edit') { editing = id; draw(); $('aa-name').focus(); } else if (act === 'new') {
    const was = editing;
    editing = 0;
    redrawSaid(undefined, '[data-act="edit"][data-id="' + was + '"]');
  } else if (act === 'reactivate') {
    setActive(id, true);
  } else if (act === 'queue') { queueEditing = b.getAttribute('data-code'); draw(); $('aq-name').focus(); } else if (act === 'holidays-load') { loadHolidays(); } else if (act === 'retire') {
    const r = cache.reasons.find((x) => x.id === id);
    live().textContent = '';
    const res = await api.adminCall('PUT', 'not-ready-reasons/' + id, Object.assign({}, r, { retired: !r.retired }));
    if (!say(res, '', 'ar')) { return; }
    await load('reasons');
    redrawSaid(t('admin.saved'), '[data-act="retire"][data-id="' + id + '"]');
  }
}

// setActive deactivates (on: false, once asked) or reactivates an
// account. A refusal is said, the focus left on the button; done, the
// pressed button gives way to its counterpart in the same row.
async function setActive(id, on) {
  const a = cache.agents.find((x) => x.id === id);
  live().textContent = '';
  const res = await api.adminCall('POST', 'agents/' + id + '/' + (on ? 'reactivate' : 'deactivate'));
  if (!say(res, '', 'aa')) { return; }
  await load('agents');
  redrawSaid(on ? t('admin.agent_reactivated', { name: a ? a.name : '' }) : t('admin.agent_deactivated', { name: a ? a.name : '' }),
    '[data-act="' + (on ? 'deactivate' : 'reactivate') + '"][data-id="' + id + '"]', '[data-act="edit"][data-id="' + id + '"]');
}

export function mountAdmin() {
  if (!mount) { return; }
  mount.addEventListener('click', onClick);
  clearOnEdit(mount);
  let shown = false;
  store.on(['agent', 'boardShown'], (s) => {
    mount.hidden = !isAdmin(s.agent);
    if (isAdmin(s.agent) && allowed(s.agent).indexOf(section) < 0) { section = allowed(s.agent)[0]; shown = false; }
    if (isAdmin(s.agent) && s.boardShown && !shown) { shown = true; show(section); }
    if (!isAdmin(s.agent)) { shown = false; mount.textContent = ''; live().textContent = ''; }
  });
}
