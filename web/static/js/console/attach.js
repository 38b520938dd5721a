// Files on a reply: the attach button in the reply box opens the file
// picker; the chosen files are listed (name and size), each with its own
// remove button, and kept with their ticket like the draft text (never
// carried to the next citizen). thread.js sends them with the reply as
// multipart/form-data; the server reads each file's type from its bytes
// and says why when the ticket's channel refuses one. The files are local
// to this page (File objects), not server state, so they stay out of the
// store.
import * as store from './store.js';
import { $, t, el, setFieldError, number, sayIn } from './ui.js';
import { reveal } from './composer.js';

const chosen = new Map(); // ticket id -> [File]

const current = () => chosen.get(store.get().selectedId) || [];

// hasFiles says whether the open ticket's reply carries files.
export const hasFiles = () => current().length > 0;

// form is the reply as multipart/form-data: payload ({body, buttons})
// and the chosen files.
export function form(payload) {
  const fd = new FormData();
  fd.append('body', payload.body || '');
  if (payload.seen) { fd.append('seen', String(payload.seen)); }
  if (Array.isArray(payload.buttons) && payload.buttons.length) { fd.append('buttons', JSON.stringify(payload.buttons)); }
  current().forEach((f) => fd.append('files', f, f.name));
  return fd;
}

// filesOf is how many files are chosen for ticket id's reply.
export const filesOf = (id) => (chosen.get(id) || []).length;

// withFiles lists the tickets whose reply has files chosen.
export const withFiles = () => Array.from(chosen.keys()).filter((id) => filesOf(id) > 0);

// sent forgets the files of ticket id once its reply went out (or was
// given up: its ticket left the agent's sight).
export function sent(id) {
  chosen.delete(id);
  render();
}

export function size(n) {
  if (n >= 1048576) { return number(n / 1048576, 1) + ' MB'; }
  return number(Math.max(1, Math.round(n / 1024))) + ' KB';
}

function render() {
  const list = $('attach-list');
  list.textContent = '';
  const files = current();
  files.forEach((f, i) => {
    list.appendChild(el('li', { 'class': 'attach-item' }, [
      el('span', { 'class': 'attach-name', text: f.name }),
      el('span', { 'class': 'attach-size', text: '(' + size(f.size) + ')' }),
      el('button', { type: 'button', 'class': 'btn btn-link btn-small attach-remove', 'data-index': String(i),
        'aria-label': t('files.remove', { name: f.name }), text: t('files.remove_short') }),
    ]));
  });
  list.hidden = files.length === 0;
}

export function mount() {
  const input = $('attach-input');
  $('attach-btn').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const id = store.get().selectedId;
    if (!id || !input.files || !input.files.length) { return; }
    const files = current().concat(Array.prototype.slice.call(input.files));
    chosen.set(id, files);
    input.value = '';
    setFieldError('attach-btn', '');
    render();
    const last = files[files.length - 1];
    sayIn('ticket-live', t('files.attached', { name: last.name, size: size(last.size) }), false);
  });
  $('attach-list').addEventListener('click', (ev) => {
    const btn = ev.target.closest('.attach-remove');
    if (!btn) { return; }
    const files = current().slice();
    const [gone] = files.splice(Number(btn.getAttribute('data-index')), 1);
    chosen.set(store.get().selectedId, files);
    setFieldError('attach-btn', '');
    render();
    if (gone) { sayIn('ticket-live', t('files.removed', { name: gone.name }), false); }
    reveal(); // on a phone the button may be folded away
    $('attach-btn').focus();
  });
  store.on(['selectedId'], () => {
    setFieldError('attach-btn', '');
    render();
  });
}
