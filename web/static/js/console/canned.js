// Canned replies and macros in the reply box. Typing "/" at the start of
// a line opens a list of the agent's canned replies filtered by what
// follows ("/salam"); up/down arrows move through it, Enter inserts the
// chosen reply with its variables filled for this ticket (the server
// fills them and counts the use), Esc closes it. Each reply is previewed
// as it will be inserted: the list is read for the ticket, and the
// server fills it with the same function as the insertion. The list
// opens under the text box, in the reply box's flow: it takes room from
// the thread, whose newest message stays in sight (thread.js), rather
// than lie over the message being answered. The reply box is a
// combobox (it stays a textarea to type in) that says whether its list is
// open (aria-expanded) and names the list's active option
// (aria-activedescendant), so a screen reader follows it. What the picker
// said (canned-status) is taken back once it no longer holds: the reply
// or note sent, the mode switched, another ticket opened. Beside the send button, a macro applies a
// canned reply with status, priority, tags and/or a transfer at once.
//
// A canned reply is written to the citizen (their name, the status link,
// in their language) and counts as used; a note is never sent to them.
// So "/" in a note inserts none: the list opens on one line saying why
// (the agent chose a note, or the ticket takes no text reply now), in
// words, also to a screen reader, rather than opening nothing.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, setText, busy, errorMessage, fieldErrors, label, sayIn } from './ui.js';
import { loadTicket, loadList } from './actions.js';
import { isNoteMode } from './notes.js';

const REFRESH_MS = 60000;
let all = [];
let loadedAt = 0;
let shown = [];
let active = -1;
let token = null; // {start, end, q} of the "/" word being typed
let dismissed = ''; // the token Esc closed, not reopened until it changes

const box = () => $('reply-body');
const list = () => $('canned-list');

let loaded = false; // the list was read at least once (else "none yet" is not known)
let loadedFor = ''; // the ticket (and what its variables read) the previews were filled for

// fillKey names what the previews depend on: the ticket, its status and
// its queue (the variables that change while it is open).
function fillKey() {
  const s = store.get();
  const tk = s.ticket && s.ticket.id === s.selectedId ? s.ticket : null;
  return tk ? [tk.id, tk.status, tk.queue].join('|') : '';
}

let reading = Promise.resolve(); // the newest read of the list

function load(force) {
  const key = fillKey();
  if (!force && key === loadedFor && Date.now() - loadedAt < REFRESH_MS) { return; }
  loadedAt = Date.now();
  loadedFor = key;
  const id = key ? store.get().selectedId : 0;
  reading = api.cannedList(id).then((res) => {
    if (loadedFor !== key) { return; } // read for another ticket since: that answer is the one kept
    if (res.ok) { all = res.data.canned_responses || []; loaded = true; } else { loadedAt = 0; } // read again next time
  });
}

// settled waits for the newest read of the list, however many began
// meanwhile: until then the list holds another ticket's previews (or
// none filled), which are never shown.
async function settled() {
  let p;
  do { p = reading; await p; } while (p !== reading);
}

function matches(r, q) {
  if (!q) { return true; }
  if ((r.shortcut || '').indexOf(q) === 0) { return true; }
  const title = String(r.title || '').toLowerCase();
  return title.indexOf(q) === 0 || title.split(/\s+/).some((w) => w.indexOf(q) === 0);
}

// current is the "/" word before the caret on its line, or null.
function current() {
  const ta = box();
  const end = ta.selectionStart;
  if (end !== ta.selectionEnd) { return null; }
  const text = ta.value;
  const start = text.lastIndexOf('\n', end - 1) + 1;
  const word = text.slice(start, end);
  if (word.charAt(0) !== '/' || word.length > 60) { return null; }
  return { start, end, q: word.slice(1).trim().toLowerCase() };
}

function option(r, i) {
  // The reply's language by name, as the canned-reply screen says it.
  const lang = r.lang ? label('canned_admin.lang_', String(r.lang).slice(0, 2), r.lang) : '';
  const meta = [r.shared ? t('canned.shared') : t('canned.personal'), lang, r.shortcut ? '/' + r.shortcut : ''].filter(Boolean).join(' \u00b7 ');
  return el('li', { id: 'canned-opt-' + r.id, role: 'option', 'class': 'canned-opt', 'aria-selected': String(i === active), 'data-index': String(i) }, [
    el('span', { 'class': 'canned-title', text: r.title }),
    el('span', { 'class': 'canned-meta', text: meta }),
    el('span', { 'class': 'canned-preview', text: String(r.filled || r.body || '').slice(0, 90) }),
  ]);
}

// emptyText: nothing matches what was typed, or there is nothing yet
// (then it says where canned replies are made).
function emptyText() {
  if (isNoteMode()) {
    return store.get().replyAllowed ? t('canned.note_mode', { mode: t('notes.mode_reply') }) : t('canned.no_reply');
  }
  return all.length || !loaded ? t('canned.picker_empty') : t('canned.picker_none', { place: t('canned_admin.heading') });
}

function render() {
  const ul = list();
  const ta = box();
  ul.textContent = '';
  if (!token) {
    ul.hidden = true;
    ta.setAttribute('aria-expanded', 'false');
    ta.removeAttribute('aria-activedescendant');
    return;
  }
  if (!shown.length) {
    ul.appendChild(el('li', { 'class': 'canned-empty', role: 'option', 'aria-disabled': 'true', text: emptyText() }));
  }
  shown.forEach((r, i) => ul.appendChild(option(r, i)));
  ul.hidden = false;
  ta.setAttribute('aria-expanded', 'true');
  if (active >= 0 && shown[active]) {
    ta.setAttribute('aria-activedescendant', 'canned-opt-' + shown[active].id);
    const node = $('canned-opt-' + shown[active].id);
    if (node && node.scrollIntoView) { node.scrollIntoView({ block: 'nearest' }); }
  } else {
    ta.removeAttribute('aria-activedescendant');
  }
}

function close() {
  token = null;
  shown = [];
  active = -1;
  render();
}

async function update() {
  const tok = current();
  const word = tok ? box().value.slice(tok.start, tok.end) : '';
  if (dismissed && dismissed !== word) { dismissed = ''; } // Esc holds only while the word stays as it was
  if (!tok || dismissed) {
    if (token) { close(); }
    return;
  }
  token = tok;
  if (!isNoteMode()) { load(false); await settled(); }
  if (!token) { return; }
  shown = isNoteMode() ? [] : all.filter((r) => matches(r, token.q)).slice(0, 8);
  active = shown.length ? 0 : -1;
  render();
  setText('canned-status', shown.length ? t('canned.picker_count', { count: shown.length }) : emptyText());
}

async function choose(i) {
  const r = shown[i];
  const tok = token;
  const id = store.get().selectedId;
  if (!r || !tok || !id) { return; }
  close();
  // The Enter that chose is not a line break, even where a keyboard
  // (or an automation tool) delivers its character after all.
  const before = box().value;
  const res = await api.cannedUse(r.id, id);
  if (!res.ok || store.get().selectedId !== id) {
    if (res.status !== 401) { sayIn('ticket-live', errorMessage(res), true); }
    return;
  }
  const ta = box();
  let text = ta.value;
  if (text === before.slice(0, tok.end) + '\n' + before.slice(tok.end)) { text = before; }
  // The "/" word is replaced only if it is still there as typed.
  const start = text.slice(tok.start, tok.end).charAt(0) === '/' ? tok.start : ta.selectionStart;
  const end = start === tok.start ? tok.end : ta.selectionStart;
  ta.value = text.slice(0, start) + res.data.body + text.slice(end);
  const caret = start + res.data.body.length;
  ta.setSelectionRange(caret, caret);
  ta.focus();
  ta.dispatchEvent(new Event('input'));
  setText('canned-status', t('canned.inserted', { title: r.title }));
  r.usage_count = (r.usage_count || 0) + 1;
  store.set({ cannedUsed: { id: r.id, at: Date.now() } }); // cannedadmin.js shows the new count
}

// choseByEnter: the Enter that chose is down. Its line break is not
// typed, even where a keyboard (or an automation tool) delivers the
// character on its own after the key, and after the reply is inserted.
let choseByEnter = false;
function dropChosenEnter(ev) {
  if (choseByEnter && (ev.type === 'keypress' ? ev.key === 'Enter' : /^insert(LineBreak|Paragraph)$/.test(ev.inputType))) { ev.preventDefault(); }
}

function onKey(ev) {
  choseByEnter = false; // another key: whatever it types is typed
  if (!token) { return; }
  switch (ev.key) {
    case 'ArrowDown':
    case 'ArrowUp':
      if (!shown.length) { return; }
      ev.preventDefault();
      active = (active + (ev.key === 'ArrowDown' ? 1 : -1) + shown.length) % shown.length;
      render();
      break;
    case 'Enter':
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
      if (active >= 0) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        choseByEnter = true;
        choose(active);
      }
      break;
    case 'Escape':
      ev.preventDefault();
      dismissed = box().value.slice(token.start, token.end);
      close();
      setText('canned-status', '');
      break;
    case 'Tab':
      close();
      break;
    default:
      break;
  }
}

// ---- macros ----

async function loadMacros() {
  const res = await api.macros();
  const sel = $('macro-select');
  const list = res.ok ? (res.data.macros || []) : [];
  while (sel.options.length > 1) { sel.remove(1); }
  list.forEach((m) => sel.appendChild(el('option', { value: String(m.id), text: m.name })));
  store.set({ macros: list });
  $('macro-row').hidden = !list.length;
  markReplyMacros();
}

// markReplyMacros: while the box writes a note (or takes no reply), a
// macro that sends a canned reply to the citizen cannot be chosen; its
// option says why. A note is never sent to the citizen, and a macro
// chosen beside one must not be either.
function markReplyMacros() {
  const note = isNoteMode();
  const sel = $('macro-select');
  (store.get().macros || []).forEach((m) => {
    const o = sel.querySelector('option[value="' + m.id + '"]');
    if (!o) { return; }
    const held = note && !!m.canned_id;
    o.disabled = held;
    o.textContent = held ? t('macros.replies_to_citizen', { name: m.name }) : m.name;
    if (held && sel.value === String(m.id)) { sel.value = ''; }
  });
}

async function applyMacro() {
  const id = store.get().selectedId;
  const mid = Number($('macro-select').value);
  if (!id || !mid) { $('macro-select').focus(); return; }
  const m = store.get().macros.find((x) => x.id === mid);
  if (m && m.canned_id && isNoteMode()) {
    sayIn('ticket-live', t('macros.replies_to_citizen', { name: m.name }), true);
    return;
  }
  busy($('macro-btn'), true, t('common.loading'));
  const res = await api.applyMacro(id, mid);
  busy($('macro-btn'), false);
  // Applied, or stopped after a step (its canned reply may have been
  // sent): the counts changed, and cannedadmin.js shows them.
  if (res.ok || (res.data && res.data.error && res.data.error.code === 'macro_partial')) {
    store.set({ macroUsed: { id: mid, at: Date.now() } });
  }
  if (res.ok) {
    const names = { reply: t('macros.step_reply'), priority: t('macros.step_priority'), tags: t('macros.step_tags'),
      status: t('macros.step_status'), transfer: t('macros.step_transfer') };
    const steps = (res.data.steps || []).map((s) => names[s] || s).join(', ');
    sayIn('ticket-live', t('macros.applied', { name: m ? m.name : '', steps }), false);
    $('macro-select').value = '';
  } else if (res.status !== 401) {
    const f = fieldErrors(res);
    sayIn('ticket-live', f.macro || f.tags || errorMessage(res), true);
  }
  loadTicket(id);
  loadList();
}

export function mount() {
  const ta = box();
  // The combobox pattern on the textarea: a role, the list it controls,
  // whether that list is open (render), its active option while it is.
  ta.setAttribute('role', 'combobox');
  ta.setAttribute('aria-controls', 'canned-list');
  ta.setAttribute('aria-autocomplete', 'list');
  ta.setAttribute('aria-haspopup', 'listbox');
  ta.setAttribute('aria-expanded', 'false');
  // Before the reply box's own keys (Ctrl+Enter sends).
  ta.addEventListener('keydown', onKey);
  ta.addEventListener('keypress', dropChosenEnter);
  ta.addEventListener('beforeinput', dropChosenEnter);
  ta.addEventListener('keyup', (ev) => { if (ev.key === 'Enter') { choseByEnter = false; } });
  ta.addEventListener('input', update);
  ta.addEventListener('click', update);
  ta.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== box()) { close(); } }, 150));
  list().addEventListener('mousedown', (ev) => {
    const li = ev.target.closest('[data-index]');
    if (li) { ev.preventDefault(); choose(Number(li.dataset.index)); }
  });
  $('macro-btn').addEventListener('click', applyMacro);
  store.on(['selectedId', 'composeMode', 'replyAllowed'], close);
  store.on(['composeMode', 'replyAllowed'], markReplyMacros);
  // What the picker said no longer holds once the box is sent, switched
  // to the other mode or shows another ticket.
  store.on(['selectedId', 'composeMode', 'replyAllowed', 'composeSent'], () => setText('canned-status', ''));
  store.on(['cannedChanged'], () => { loadedAt = 0; load(true); loadMacros(); }); // cannedadmin.js (replies and macros)
  store.on(['agentKey'], (s) => {
    if (s.agent) { loadedAt = 0; load(true); loadMacros(); } else { all = []; loaded = false; close(); }
  });
}
