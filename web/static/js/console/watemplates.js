// The WhatsApp templates admin screen, a section of admin.js served by the
// WhatsApp channel's own routes: the approved templates (name, language,
// purpose, body parameters, active), added, edited and deactivated. At
// most one notification and one survey template is active per language;
// the server says which field is wrong and the message goes beside it.
// Every change is audited by the server and reaches every instance's
// senders at once. While the channel is off (the server names the
// channels it runs with the signed-in agent: store key channels) there
// are no such routes: the screen says so, and what turns WhatsApp on,
// and asks nothing.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, label, tableOf, errorMessage } from './ui.js';
import { addSection, redraw, redrawSaid, field, input, say } from './admin.js';

const PURPOSES = ['reply', 'notify', 'csat'];
// The settings that turn the channel on (.env.example).
const SETTINGS = 'WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID';

let templates = null; // null: not read (the channel is off, or the read failed: failed says why)
let failed = '';
let editing = 0;

const channelOn = () => (store.get().channels || []).indexOf('whatsapp') >= 0;

async function load() {
  templates = null;
  failed = '';
  if (!channelOn()) { return; }
  const res = await api.adminCall('GET', 'whatsapp-templates');
  if (res.ok && res.data) { templates = res.data.templates || []; } else { failed = errorMessage(res); }
}

const purposeText = (p) => label('admin.wat_purpose_', p);

function paramsText(tp) {
  return tp.params && tp.params.length ? tp.params.map((p, i) => '{{' + (i + 1) + '}} ' + p).join(', ') : '— ' + t('admin.wat_no_params');
}

function activeField(on) {
  return el('div', { 'class': 'field check-field' }, [
    el('label', { 'class': 'check', 'for': 'aw-active' }, [el('input', { type: 'checkbox', id: 'aw-active', checked: on ? true : null,
      'aria-describedby': 'aw-active-error' }), ' ' + t('admin.wat_active')]),
    el('p', { 'class': 'field-error', id: 'aw-active-error', hidden: true }),
  ]);
}

function bodyOf(tp, active) {
  return { name: tp.name, language: tp.language, purpose: tp.purpose, params: tp.params || [], active };
}

// save saves a template; once saved, the section is drawn again, the
// focus (if lost) on the template's row (its edit button) or the heading.
async function save(id, body, done) {
  const res = id ? await api.adminCall('PUT', 'whatsapp-templates/' + id, body) : await api.adminCall('POST', 'whatsapp-templates', body);
  if (say(res, '', 'aw')) {
    editing = 0; await load();
    redrawSaid(done, id ? 'button[data-edit="' + id + '"]' : '');
  }
}

function view() {
  if (!channelOn()) {
    return [el('p', { id: 'wat-unavailable', text: t('admin.wat_unavailable') }),
      el('p', { 'class': 'hint', id: 'wat-setup', text: t('admin.wat_setup', { vars: SETTINGS }) })];
  }
  if (templates === null) { return [el('p', { 'class': 'form-status form-status-error', id: 'wat-failed', role: 'alert', text: failed })]; }
  const rows = templates.map((tp) => el('tr', { 'data-template': tp.name + ':' + tp.language + ':' + tp.purpose, 'class': tp.active ? '' : 'admin-off' }, [
    el('th', { scope: 'row', 'class': 'mono', text: tp.name }),
    el('td', { 'class': 'mono', text: tp.language }),
    el('td', { text: purposeText(tp.purpose) }),
    el('td', { text: paramsText(tp) }),
    el('td', { text: tp.active ? '✓ ' + t('admin.in_use') : '⊘ ' + t('admin.wat_inactive') }),
    el('td', {}, [
      el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-edit': String(tp.id), text: t('admin.edit'),
        'aria-label': t('admin.edit_named', { name: tp.name + ' (' + tp.language + ', ' + purposeText(tp.purpose) + ')' }) }),
      tp.active ? el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-off': String(tp.id), text: t('admin.wat_deactivate'),
        'aria-label': t('admin.wat_deactivate_named', { name: tp.name + ' (' + tp.language + ', ' + purposeText(tp.purpose) + ')' }) }) : null,
    ]),
  ]));
  const cur = templates.find((x) => x.id === editing) || { active: true, purpose: 'reply', params: [] };
  const purpose = el('select', { 'aria-describedby': 'aw-purpose-error' }, PURPOSES.map((p) =>
    el('option', { value: p, text: purposeText(p), selected: p === cur.purpose ? true : null })));
  const params = el('textarea', { rows: '3', spellcheck: 'false', 'class': 'mono', 'aria-describedby': 'aw-params-hint aw-params-error' });
  params.value = (cur.params || []).join('\n');
  const f = el('form', { id: 'admin-wat-form', 'class': 'admin-form', novalidate: true }, [
    el('h3', { id: 'aw-title', text: editing ? t('admin.wat_edit', { name: cur.name }) : t('admin.wat_new') }),
    field('aw-name', t('admin.wat_name'), input({ value: cur.name || '', spellcheck: 'false', 'class': 'mono', 'aria-describedby': 'aw-name-hint aw-name-error' })),
    el('p', { 'class': 'hint', id: 'aw-name-hint', text: t('admin.wat_name_hint') }),
    field('aw-language', t('admin.wat_language'), input({ value: cur.language || 'id', spellcheck: 'false', 'class': 'mono', 'aria-describedby': 'aw-language-hint aw-language-error' })),
    el('p', { 'class': 'hint', id: 'aw-language-hint', text: t('admin.wat_language_hint') }),
    field('aw-purpose', t('admin.wat_purpose'), purpose),
    field('aw-params', t('admin.wat_params'), params),
    el('p', { 'class': 'hint', id: 'aw-params-hint', text: t('admin.wat_params_hint') }),
    activeField(cur.active),
    el('div', { 'class': 'actions' }, [
      el('button', { type: 'submit', id: 'aw-save', 'class': 'btn btn-primary btn-small', text: editing ? t('admin.save') : t('admin.wat_add') }),
      editing ? el('button', { type: 'button', id: 'aw-cancel', 'class': 'btn btn-secondary btn-small', text: t('admin.cancel') }) : null,
    ]),
  ]);
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {
      name: $('aw-name').value.trim(), language: $('aw-language').value.trim(), purpose: $('aw-purpose').value,
      params: $('aw-params').value.split('\n').map((s) => s.trim()).filter((s) => s !== ''),
      active: $('aw-active').checked,
    };
    save(editing, body, t('admin.wat_saved', { name: body.name }));
  });
  f.addEventListener('click', (ev) => {
    if (ev.target.closest('#aw-cancel')) { editing = 0; redraw(); $('aw-name').focus(); }
  });
  const table = tableOf(t('admin.wat_caption'), [t('admin.wat_name'), t('admin.wat_language'), t('admin.wat_purpose'), t('admin.wat_params'),
    t('admin.col_state'), t('admin.col_actions')], rows, 'admin-wat');
  table.addEventListener('click', (ev) => {
    const e = ev.target.closest('button[data-edit]');
    if (e) { editing = Number(e.getAttribute('data-edit')); redraw(); $('aw-name').focus(); return; }
    const o = ev.target.closest('button[data-off]');
    if (o) {
      const tp = templates.find((x) => x.id === Number(o.getAttribute('data-off')));
      if (!tp) { return; }
      save(tp.id, bodyOf(tp, false), t('admin.wat_deactivated', { name: tp.name }));
    }
  });
  return [el('p', { 'class': 'hint', text: t('admin.wat_hint') }),
    templates.length ? table : el('p', { 'class': 'muted', text: t('admin.wat_empty') }), f];
}

export function mountWhatsAppTemplates() {
  addSection('watemplates', view, load, 'admin.queues');
}
