// Unsent replies. A reply being written is never lost without the agent
// knowing:
//   - When its ticket leaves the agent's sight (a supervisor moved it out
//     of their queues, it was erased, they transferred it away), the text
//     is kept under the list's status line, read-only, with a copy button
//     (to hand it to the colleague who has the ticket now) and a discard
//     button. It stays through a reload, for the same agent, until
//     discarded; files chosen for that reply cannot be kept, and the panel
//     says so.
//     A ticket not open with a reply waiting in the drafts is read when
//     a push tells of its queue or assignee changing, and when a read of
//     the list does not list it (the agent taken out of its queue: a
//     membership change moves no ticket, so nothing is pushed): out of
//     reach, its reply is kept the same way. A ticket still listed whose
//     move was not pushed to this agent is found out when opened.
//   - Signing out with replies unsent (on open tickets or kept here) asks
//     first, naming the tickets; going on discards them for good.
import * as store from './store.js';
import { $, t, el, sayIn } from './ui.js';
import * as thread from './thread.js';
import * as attach from './attach.js';
import * as api from './api.js';

// Kept in this tab's sessionStorage with the agent they belong to (a
// reload keeps them for that agent only), and in this page's memory
// through an ended session, as thread.js keeps the drafts; dropped when
// another agent signs in on the page, or on a sign-out that discards.
const KEPT = 'tanggap.unsent-left';
let left = []; // [{id, tracking, text, files}], newest first
let agentID = 0;

function save() {
  if (!agentID) { return; }
  // Files cannot be kept past the page: an entry of files alone is not.
  const texts = left.filter((x) => x.text.trim()).map((x) => ({ id: x.id, tracking: x.tracking, text: x.text }));
  try {
    if (texts.length) {
      sessionStorage.setItem(KEPT, JSON.stringify({ agent: agentID, left: texts }));
    } else {
      sessionStorage.removeItem(KEPT);
    }
  } catch (e) { /* storage off: this page only */ }
}

function dropKept() {
  try { sessionStorage.removeItem(KEPT); } catch (e) { /* nothing kept */ }
}

// restore is what the tab kept for agent id (a reload).
function restore(id) {
  let k = null;
  try { k = JSON.parse(sessionStorage.getItem(KEPT) || 'null'); } catch (e) { return []; }
  if (!k || k.agent !== id || !Array.isArray(k.left)) { return []; }
  return k.left.filter((x) => x && typeof x.text === 'string' && x.text.trim())
    .map((x) => ({ id: Number(x.id), tracking: String(x.tracking || ''), text: x.text, files: 0 }));
}

// took: the ticket that left had an unsent reply (or files for one).
// tracking names it when the page read it only in the list (now gone);
// own: the list's status line has not said why it left yet.
function took(ticketLeft, tracking, own) {
  const id = ticketLeft.id;
  const text = thread.takeDraft(id);
  const files = attach.filesOf(id);
  attach.sent(id); // File objects cannot outlive the page; said below
  if (!text.trim() && !files) { return; }
  // Kept once already (the ticket came back, was written to and left
  // again): both texts stay, the earlier first.
  const was = left.find((x) => x.id === id);
  const all = was && was.text.trim() ? (text.trim() ? was.text + '\n\n' + text : was.text) : text;
  left = [{ id, tracking: thread.trackingNumber(id) || tracking || '', text: all, files: files + (was ? was.files : 0) }].concat(left.filter((x) => x.id !== id));
  save();
  render();
  // Screen readers hear why the ticket closed (list.js, said first): and
  // that the reply is kept under it.
  if (own || $('list-status').textContent === ticketLeft.text) {
    sayIn('list-status', ticketLeft.text + ' ' + t('unsent.kept_below'), false);
  }
}

// checkReach is for a ticket not open whose queue or assignee changed
// while a reply to it waits in the drafts (live.js): read now and refused
// (moved out of the agent's queues, erased), its reply is kept here and
// the list says why, as for the open ticket.
const probing = new Set();
export async function checkReach(id, tracking) {
  if (probing.has(id) || !(thread.hasDraft(id) || attach.filesOf(id))) { return; }
  probing.add(id);
  try {
    const res = await api.getTicket(id);
    // Opened meanwhile: that read says it (actions.readTicket).
    if ((res.status !== 403 && res.status !== 404) || store.get().selectedId === id) { return; }
    const name = thread.trackingNumber(id) || tracking || '';
    took({ id, text: t('console.ticket_left', { tracking: name }) }, name, true);
  } finally {
    probing.delete(id);
  }
}

const named = (x) => x.tracking || ('#' + x.id);

function render() {
  const box = $('unsent-left');
  box.textContent = '';
  box.hidden = left.length === 0;
  left.forEach((x) => {
    const area = 'unsent-text-' + x.id;
    const parts = [
      el('h3', { 'class': 'unsent-title', id: 'unsent-title-' + x.id, text: t('unsent.title', { tracking: named(x) }) }),
      el('p', { 'class': 'hint', text: t('unsent.why') }),
    ];
    if (x.text.trim()) {
      parts.push(el('label', { 'class': 'visually-hidden', 'for': area, text: t('unsent.text_label', { tracking: named(x) }) }));
      const ta = el('textarea', { id: area, 'class': 'unsent-text', rows: '3', readonly: 'readonly' });
      ta.value = x.text;
      parts.push(ta);
    }
    if (x.files) {
      parts.push(el('p', { 'class': 'hint', text: t('unsent.files_lost', { count: x.files }) }));
    }
    const actions = [];
    if (x.text.trim()) {
      actions.push(el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', 'data-copy': String(x.id), text: t('unsent.copy') }));
    }
    actions.push(el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-discard': String(x.id),
      'aria-label': t('unsent.discard_named', { tracking: named(x) }), text: t('unsent.discard') }));
    parts.push(el('div', { 'class': 'actions' }, actions));
    box.appendChild(el('section', { 'class': 'unsent-item', 'aria-labelledby': 'unsent-title-' + x.id }, parts));
  });
}

async function copy(x) {
  const ta = $('unsent-text-' + x.id);
  let done = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(x.text);
      done = true;
    }
  } catch (e) { /* refused: the selection below */ }
  if (!done && ta) {
    // Not a secure page (or the clipboard refused): the text is selected
    // for Ctrl+C, and copied where the browser still allows it.
    ta.focus();
    ta.select();
    try { done = document.execCommand('copy'); } catch (e) { done = false; }
  }
  sayIn('list-status', done ? t('unsent.copied', { tracking: named(x) }) : t('unsent.copy_selected'), false);
}

// forgetAll drops what was kept: another agent signs in next (main.js),
// or this one signed out knowing it goes.
export function forgetAll() {
  left = [];
  dropKept();
  render();
}

// confirmSignOut resolves true when signing out may go on: nothing is
// unsent, or the agent chose to discard it. Cancelled, the focus goes
// back to returnTo (the sign-out button).
export function confirmSignOut(returnTo) {
  const replies = thread.unsentReplies();
  const ids = new Set(replies.map((r) => r.id));
  attach.withFiles().forEach((id) => {
    if (!ids.has(id)) { ids.add(id); replies.push({ id, tracking: thread.trackingNumber(id), text: '' }); }
  });
  left.forEach((x) => { if (!ids.has(x.id)) { ids.add(x.id); replies.push(x); } });
  if (!replies.length) { return Promise.resolve(true); }
  return new Promise((resolve) => {
    const dialog = el('dialog', { 'class': 'unsent-dialog', 'aria-labelledby': 'unsent-dialog-title', 'aria-describedby': 'unsent-dialog-why' }, [
      el('h2', { id: 'unsent-dialog-title', text: t('unsent.signout_title', { count: replies.length }) }),
      el('p', { id: 'unsent-dialog-why', text: t('unsent.signout_why') }),
      el('ul', { 'class': 'unsent-list' }, replies.map((r) => el('li', { text: named(r) }))),
      el('div', { 'class': 'actions' }, [
        el('button', { type: 'button', 'class': 'btn btn-primary btn-small', id: 'unsent-stay', text: t('unsent.signout_stay') }),
        el('button', { type: 'button', 'class': 'btn btn-secondary btn-small', id: 'unsent-go', text: t('unsent.signout_go') }),
      ]),
    ]);
    let answer = false;
    dialog.querySelector('#unsent-stay').addEventListener('click', () => dialog.close());
    dialog.querySelector('#unsent-go').addEventListener('click', () => { answer = true; dialog.close(); });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (answer) {
        thread.forgetDrafts();
        attach.withFiles().forEach((id) => attach.sent(id));
        forgetAll();
      } else if (returnTo && returnTo.isConnected) {
        returnTo.focus();
      }
      resolve(answer);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    $('unsent-stay').focus();
  });
}

// probeUnlisted reads, after a read of the list, the tickets with a reply
// waiting that the list left out: moved out of reach, or only filtered
// away (then the read changes nothing).
function probeUnlisted(s) {
  const listed = new Set(s.tickets.map((x) => x.id));
  new Set(thread.draftIDs().concat(attach.withFiles())).forEach((id) => {
    if (!listed.has(id) && id !== s.selectedId) { checkReach(id); }
  });
}

export function mount() {
  store.on(['listAt'], probeUnlisted);
  // After every other listener of the same change: thread.js has put the
  // closed ticket's reply with its drafts by then.
  store.on(['ticketLeft'], (s) => { const l = s.ticketLeft; if (l) { queueMicrotask(() => took(l)); } });
  store.on(['agent'], (s) => {
    // Signed out (or the session ended): nothing stays in the tab's
    // storage; the page's memory keeps them for the same agent.
    if (!s.agent) { dropKept(); return; }
    if (s.agent.id === agentID) { save(); return; }
    const first = agentID === 0; // the page's first sign-in: a reload
    agentID = s.agent.id;
    left = first ? restore(agentID) : []; // another agent: nothing of the last one's
    render();
  });
  $('unsent-left').addEventListener('click', (ev) => {
    const c = ev.target.closest('[data-copy]');
    const d = ev.target.closest('[data-discard]');
    if (c) {
      const x = left.find((y) => y.id === Number(c.getAttribute('data-copy')));
      if (x) { copy(x); }
    } else if (d) {
      const id = Number(d.getAttribute('data-discard'));
      const i = left.findIndex((y) => y.id === id);
      const x = left[i];
      left = left.filter((y) => y.id !== id);
      save();
      render();
      // The focus goes to the next kept reply's discard, else the list.
      const rest = $('unsent-left').querySelectorAll('[data-discard]');
      (rest[Math.min(i, rest.length - 1)] || $('tickets-title')).focus();
      if (x) { sayIn('list-status', t('unsent.discarded', { tracking: named(x) }), false); }
    }
  });
}
