// Keyboard shortcuts of the console. They never fire while the agent types
// in a field (input, textarea, select, anything editable) or with Alt or
// Ctrl/⌘ held (except Ctrl-K / ⌘-K for search), so typing is never taken
// over. "?" (or the Shortcuts button) opens an accessible dialog (a modal
// <dialog>: focus moves in, Esc closes, focus returns) listing them, where
// the one-key shortcuts can be turned off.
//
//   j / k      next / previous ticket in the list
//   r          the reply box in reply mode (where the ticket takes a reply)
//   n          the reply box in internal-note mode
//   s          choose "solved" for the open ticket in its status form, which
//              takes the focus: Enter saves it (a refusal, e.g. a missing
//              wrap-up code, is said where it always is), Esc puts the
//              status back. It never solves at once: an agent who meant to
//              write ("selamat sore") would solve the ticket and send the
//              citizen the solved notice. A letter typed instead of Enter
//              takes the status back and goes, after the s, to the reply box.
//   /          in the reply box: the canned-reply picker (its own module)
//   / , Ctrl-K search: focuses the element with id "search-input" if any
//   ?          this list
//
// Any other letter typed while the focus is in the open ticket but not in
// a field (its heading, its thread) goes to the reply box, where the agent
// meant to type it.
import * as store from './store.js';
import { $, t, el, sayIn } from './ui.js';
import { select } from './list.js';

const KEYS = [
  [['j'], 'shortcuts.next'],
  [['k'], 'shortcuts.prev'],
  [['r'], 'shortcuts.reply'],
  [['n'], 'shortcuts.note'],
  [['s'], 'shortcuts.solve'],
  [['/'], 'shortcuts.canned'],
  [['/', 'Ctrl K'], 'shortcuts.search'],
  [['?'], 'shortcuts.help'],
];

let dialog = null;
let returnTo = null;

// The one-key shortcuts can be turned off in their dialog (WCAG 2.1.4: a
// speech-input user, or a stray key, must not solve a ticket); the choice
// stays with this browser. Ctrl-K, with its modifier, stays on.
const PREF = 'tanggap.single-key-shortcuts';
function stored() { try { return localStorage.getItem(PREF); } catch (e) { return null; } }
let singleKeys = stored() !== 'off';

function typing(target) {
  if (!target || !(target instanceof Element)) { return false; }
  if (target.isContentEditable) { return true; }
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') { return true; }
  if (tag === 'INPUT') {
    const type = (target.getAttribute('type') || 'text').toLowerCase();
    return ['checkbox', 'radio', 'button', 'submit', 'reset'].indexOf(type) < 0;
  }
  return false;
}

function build() {
  const rows = KEYS.map(([keys, what]) => el('tr', null, [
    el('td', null, keys.reduce((acc, k, i) => {
      if (i) { acc.push(' ' + t('shortcuts.or') + ' '); }
      acc.push(el('kbd', { text: k }));
      return acc;
    }, [])),
    el('td', { text: t(what) }),
  ]));
  dialog = el('dialog', { id: 'shortcuts-dialog', 'class': 'shortcuts-dialog', 'aria-labelledby': 'shortcuts-title', 'aria-describedby': 'shortcuts-intro' }, [
    el('h2', { id: 'shortcuts-title', text: t('shortcuts.title') }),
    el('p', { 'class': 'hint', id: 'shortcuts-intro', text: t('shortcuts.intro') }),
    el('table', { 'class': 'shortcuts-table' }, [
      el('thead', null, [el('tr', null, [el('th', { scope: 'col', text: t('shortcuts.key') }), el('th', { scope: 'col', text: t('shortcuts.does') })])]),
      el('tbody', null, rows),
    ]),
    el('label', { 'class': 'check' }, [
      el('input', { type: 'checkbox', id: 'shortcuts-on', checked: singleKeys ? 'checked' : null, 'aria-describedby': 'shortcuts-on-hint' }),
      t('shortcuts.single_keys'),
    ]),
    el('p', { 'class': 'hint', id: 'shortcuts-on-hint', text: t('shortcuts.single_keys_hint') }),
    el('form', { method: 'dialog', 'class': 'actions' }, [
      el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', id: 'shortcuts-close', text: t('shortcuts.close') }),
    ]),
  ]);
  dialog.querySelector('#shortcuts-on').addEventListener('change', (ev) => {
    singleKeys = ev.target.checked;
    try { localStorage.setItem(PREF, singleKeys ? 'on' : 'off'); } catch (e) { /* storage off: for this page only */ }
  });
  dialog.addEventListener('close', () => { if (returnTo && returnTo.isConnected) { returnTo.focus(); } returnTo = null; });
  // A click on the backdrop closes it too.
  dialog.addEventListener('click', (ev) => { if (ev.target === dialog) { dialog.close(); } });
  document.body.appendChild(dialog);
}

export function openHelp() {
  if (!dialog) { build(); }
  if (dialog.open) { return; }
  returnTo = document.activeElement;
  dialog.showModal();
  $('shortcuts-close').focus();
}

function step(by) {
  const s = store.get();
  if (!s.tickets.length) { return; }
  const i = s.tickets.findIndex((x) => x.id === s.selectedId);
  const next = i < 0 ? (by > 0 ? 0 : s.tickets.length - 1) : Math.min(s.tickets.length - 1, Math.max(0, i + by));
  const id = s.tickets[next].id;
  if (id !== s.selectedId) { select(id, false); }
  const item = document.querySelector('#ticket-list [data-ticket-id="' + id + '"]');
  if (item) { item.focus(); }
}

function focusSearch() {
  const box = $('search-input');
  if (box) { box.focus(); return true; }
  return false;
}

// replyBox is the open ticket's reply box when it is on screen, else null.
function replyBox() {
  const box = $('reply-body');
  return box && store.get().selectedId && !box.closest('[hidden]') && box.getClientRects().length ? box : null;
}

// toReply puts the focus at the end of the reply box, before the key being
// pressed is typed (it is then typed there), after text if given.
function toReply(box, text) {
  if (text) {
    box.value += text;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }
  box.selectionStart = box.selectionEnd = box.value.length;
  box.focus();
}

// proposed is the "s" shortcut's choice waiting for Enter: the ticket, the
// element that had the focus, and whether the details panel was opened
// for it (on a phone).
let proposed = null;

function unpropose(back) {
  const p = proposed;
  if (!p) { return; }
  proposed = null;
  const sel = $('t-status-select');
  const tk = store.get().ticket;
  if (back && tk && tk.id === p.id) {
    sel.value = tk.status;
    sel.dispatchEvent(new Event('change'));
  }
  if ($('status-live').textContent === t('shortcuts.solve_confirm')) { sayIn('status-live', '', false); }
  if (back && p.opened) { store.set({ detailsOpen: false }); }
}

function solve() {
  const s = store.get();
  if (!s.selectedId || !s.ticket || s.ticket.id !== s.selectedId || s.ticket.status === 'solved') { return; }
  const sel = $('t-status-select');
  const form = $('status-form');
  if (!sel || !form || form.hidden) { return; }
  const from = document.activeElement;
  // On a phone the details panel is opened to show the status.
  const opened = !s.detailsOpen && !sel.getClientRects().length;
  if (opened) { store.set({ detailsOpen: true }); }
  const option = sel.querySelector('option[value="solved"]');
  if (option && option.disabled) {
    // Held (a complaint's follow-up not published yet): the select, with
    // the reason it describes, says why.
    sel.focus();
    return;
  }
  sel.value = 'solved';
  sel.dispatchEvent(new Event('change'));
  proposed = { id: s.selectedId, from, opened };
  sel.focus();
  sayIn('status-live', t('shortcuts.solve_confirm'), false);
}

// onProposed takes the keys pressed on the status select while it holds
// the "s" shortcut's choice.
function onProposed(ev) {
  if (!proposed || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
  const p = proposed;
  if (ev.key === 'Enter') {
    ev.preventDefault();
    unpropose(false);
    if (store.get().selectedId === p.id) { $('status-form').requestSubmit(); }
  } else if (ev.key === 'Escape') {
    ev.preventDefault();
    ev.stopPropagation(); // not also the details panel's Escape
    unpropose(true);
    const back = p.from && p.from.isConnected && p.from !== document.body && p.from.getClientRects().length ? p.from : $('ticket-detail');
    back.focus();
  } else if (ev.key.length === 1) {
    // Not a shortcut but a word begun: the s and this key are the
    // reply's (or the note's), not the status's.
    unpropose(true);
    const box = replyBox();
    if (box) { toReply(box, 's'); } else { ev.preventDefault(); }
  }
}

// forward sends a letter typed in the open ticket, outside a field and a
// control, to the reply box. A space still scrolls the thread.
function forward(ev) {
  const target = ev.target;
  if (ev.key.length !== 1 || ev.key === ' ' || !(target instanceof Element)) { return false; }
  const detail = $('ticket-detail');
  if (!detail || !detail.contains(target) || target.closest('a[href], button, audio, video, summary, [role="option"], [role="listbox"]')) { return false; }
  const box = replyBox();
  if (!box) { return false; }
  toReply(box, '');
  return true;
}

function onKey(ev) {
  if (ev.defaultPrevented || !store.get().agent || $('console-view').hidden) { return; }
  if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === 'k' || ev.key === 'K')) {
    if (focusSearch()) { ev.preventDefault(); }
    return;
  }
  // No single key acts behind a modal dialog (this help, or the question
  // asked before signing out with replies unsent).
  if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target) || document.querySelector('dialog[open]')) { return; }
  if (!singleKeys || KEYS.every(([keys]) => keys.indexOf(ev.key) < 0)) { forward(ev); return; }
  switch (ev.key) {
    case 'j': step(1); break;
    case 'k': step(-1); break;
    case 'r': {
      const box = $('reply-body');
      if (!box || !store.get().selectedId || box.closest('[hidden]')) { return; }
      const mode = $('mode-reply');
      if (mode && !mode.closest('[hidden]') && !mode.checked) { mode.click(); }
      box.focus();
      break;
    }
    case 'n': {
      const mode = $('mode-note');
      const box = $('reply-body');
      if (!mode || !box || !store.get().selectedId || box.closest('[hidden]')) { return; }
      if (!mode.checked) { mode.click(); }
      box.focus();
      break;
    }
    case 's': solve(); break;
    case '/': if (!focusSearch()) { return; } break;
    case '?': openHelp(); break;
    default: return;
  }
  ev.preventDefault();
}

export function mountShortcuts() {
  document.addEventListener('keydown', onKey);
  const sel = $('t-status-select');
  if (sel) {
    sel.addEventListener('keydown', onProposed);
    // The focus gone elsewhere (a click on Save, Tab): the choice stays
    // as if picked, but Enter no longer saves it from here.
    sel.addEventListener('blur', () => unpropose(false));
  }
  store.on(['selectedId'], () => unpropose(false));
  const btn = $('shortcuts-btn');
  if (btn) { btn.addEventListener('click', openHelp); }
}
