// WhatsApp part of the open ticket: whether the 24-hour customer service
// window is open and until when, quick reply buttons on a free-text reply
// inside it, and an approved template when it is closed (free text is
// then refused by the API, and thread.js hides the reply box). None of it
// while the server does not run WhatsApp (store.runs).
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, busy, setFieldError, clearFieldErrors, fieldErrors, errorMessage, formatDate, sayIn } from './ui.js';
import { loadTicket } from './actions.js';

const panel = $('wa-panel');
const form = $('wa-template-form');
const select = $('wa-template');
const params = $('wa-params');
let shownTemplates = '';

function templates() {
  const tk = store.get().ticket;
  return tk && tk.reply_window && Array.isArray(tk.reply_window.templates) ? tk.reply_window.templates : [];
}

function chosen() {
  const i = select.selectedIndex;
  return i >= 0 ? templates()[i] : null;
}

function renderParams() {
  params.textContent = '';
  const tpl = chosen();
  ((tpl && tpl.params) || []).forEach((name, i) => {
    const id = 'wa-param-' + i;
    params.appendChild(el('div', { 'class': 'field' }, [
      el('label', { 'for': id, text: name }),
      el('input', { id, type: 'text', required: 'required', maxlength: '1024' }),
    ]));
  });
}

function render(s) {
  const tk = s.ticket;
  // No window to answer in on a channel the server does not run (thread.js says why).
  const w = tk && store.runs(tk.channel) && tk.reply_window;
  panel.hidden = !w;
  $('wa-buttons-field').hidden = !w || !w.open || tk.status === 'closed';
  if (!w) { return; }
  const note = $('wa-window');
  note.textContent = w.open ? t('console.wa_window_open', { until: formatDate(w.until) }) : t('console.wa_window_closed');
  note.className = 'wa-window ' + (w.open ? 'wa-open' : 'wa-closed');
  const list = templates();
  form.hidden = w.open || list.length === 0 || tk.status === 'closed';
  const sig = JSON.stringify(list);
  if (sig !== shownTemplates) {
    shownTemplates = sig;
    select.textContent = '';
    list.forEach((tpl) => select.appendChild(el('option', { text: tpl.name + ' (' + tpl.language + ')' })));
    renderParams();
  }
}

// extendReply adds quick reply buttons to a free-text reply: titles
// separated by commas, at most three; the citizen's tap comes back as its
// text.
export function extendReply(reply) {
  if (panel.hidden || $('wa-buttons-field').hidden) { return reply; }
  const titles = $('wa-buttons').value.split(',').map((x) => x.trim()).filter(Boolean);
  if (titles.length) {
    reply.buttons = titles.map((title, i) => ({ id: 'btn-' + (i + 1), title }));
  }
  return reply;
}

export function replied() { $('wa-buttons').value = ''; }

export function mount() {
  store.on(['ticket', 'channels'], render);
  // Quick-reply titles and template values were typed for one citizen.
  store.on(['selectedId'], () => {
    $('wa-buttons').value = '';
    params.querySelectorAll('input').forEach((i) => { i.value = ''; });
  });
  select.addEventListener('change', renderParams);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const tpl = chosen();
    const id = store.get().selectedId;
    if (!tpl || !id) { return; }
    const values = Array.from(params.querySelectorAll('input')).map((i) => i.value.trim());
    clearFieldErrors(form);
    busy($('wa-template-btn'), true, t('complaint.sending'));
    const res = await api.reply(id, { template: { name: tpl.name, language: tpl.language, params: values } });
    busy($('wa-template-btn'), false);
    if (res.ok) {
      params.querySelectorAll('input').forEach((i) => { i.value = ''; });
      sayIn('ticket-live', t('console.reply_sent'), false);
      loadTicket(id);
      return;
    }
    const fields = fieldErrors(res);
    setFieldError('wa-template', fields.template ? String(fields.template) : errorMessage(res));
  });
}
