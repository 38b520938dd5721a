// Internal notes and the agent's notifications. The reply box has two
// modes: a reply to the citizen, or an internal note (never sent to the
// citizen; no typing mark reaches them either). "@name" in a note tells a
// colleague who may see the ticket; the bell lists the agent's
// notifications with the unread count and takes notification.created
// events from the push socket (live.js). Notes in the thread carry a text
// label and a dashed frame, so they are told apart without colour.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, setText, shortTime, busy, setFieldError, clearFieldErrors, fieldErrors, errorMessage, sayIn } from './ui.js';
import { loadTicket, showTicket, latestRead } from './actions.js';

// A ticket that takes no text reply now (replyAllowed false) still takes notes.
export const isNoteMode = () => store.get().composeMode === 'note' || !store.get().replyAllowed;

// noteBadge is the label on a note in the thread: an agent's note or a
// system note (a transfer, a release).
export function noteBadge(m) {
  const agentNote = m.fields && m.fields.note_kind === 'agent';
  return el('span', { 'class': 'note-badge' + (agentNote ? '' : ' note-badge-system'),
    text: agentNote ? t('notes.badge') + ' \u00b7 ' + t('notes.private') : t('notes.system_badge') });
}

// setMode is the agent's switch between a reply and a note: what was
// said of the other mode's last send or action no longer holds.
function setMode(mode) {
  const next = mode === 'note' ? 'note' : 'reply';
  if (store.get().composeMode !== next) { sayIn('ticket-live', '', false); }
  store.set({ composeMode: next });
}

function renderMode(s) {
  const note = s.composeMode === 'note' || !s.replyAllowed;
  $('mode-reply').closest('label').hidden = !s.replyAllowed;
  $('attach').hidden = note; // files go to the citizen, never into a note
  const label = $('reply-body-label');
  label.textContent = note ? label.dataset.note : label.dataset.reply;
  const btn = $('reply-btn');
  if (!btn.disabled) { btn.textContent = note ? btn.dataset.note : btn.dataset.reply; }
  $('note-hint').hidden = !note;
  $('composer').classList.toggle('composer-note', note);
  $('mode-note').checked = note;
  $('mode-reply').checked = !note;
  if (note && s.selectedId) { loadMentionable(s.selectedId); }
}

// modes keeps the reply box's mode of each ticket left ('reply' unless
// kept); modeFor is the ticket whose mode the box shows. Like the drafts
// (thread.js) they are kept in this tab across a reload, for the agent
// they belong to: a note's draft must never come back as a reply.
const modes = new Map();
let modeFor = 0;
let modesAgent = 0;
const KEPT_MODES = 'tanggap.compose-modes';

// forcedFor is the ticket whose box was put in note mode only because it
// took no reply (see mount), and typedForced says something was typed in
// it since: a note being written. The mode kept for a ticket left is the
// agent's, not the forced one, unless a note was begun; so a WhatsApp
// ticket visited while its window was shut is answered again when the
// citizen writes and the agent comes back.
let forcedFor = 0;
let typedForced = false;

// modeLeft is the mode to keep for the ticket the box shows.
const modeLeft = () => (isNoteMode() && !(forcedFor === modeFor && !typedForced) ? 'note' : 'reply');

function keepModes() {
  if (modeFor) { modes.set(modeFor, modeLeft()); }
  const notes = [...modes].filter(([, m]) => m === 'note').map(([id]) => id);
  try {
    if (modesAgent && notes.length) {
      sessionStorage.setItem(KEPT_MODES, JSON.stringify({ agent: modesAgent, notes }));
    } else {
      sessionStorage.removeItem(KEPT_MODES);
    }
  } catch (e) { /* storage off: kept for this page only */ }
}

function restoreModes(agentID) {
  let kept = null;
  try { kept = JSON.parse(sessionStorage.getItem(KEPT_MODES) || 'null'); } catch (e) { kept = null; }
  if (kept && kept.agent === agentID && Array.isArray(kept.notes)) {
    kept.notes.forEach((id) => modes.set(Number(id), 'note'));
  }
}

// showMode puts the box in the mode kept for the ticket shown.
function showMode(id) {
  modeFor = id || 0;
  const mode = (modeFor && modes.get(modeFor)) || 'reply';
  if (store.get().composeMode !== mode) { store.set({ composeMode: mode }); }
}

let mentionFor = 0;
async function loadMentionable(id) {
  if (mentionFor === id) { return; }
  mentionFor = id;
  setText('note-mentions', '');
  const res = await api.mentionable(id);
  if (!res.ok || store.get().selectedId !== id) { return; }
  const names = (res.data.agents || []).map((a) => '@' + a.handle + ' (' + a.name + ')');
  setText('note-mentions', names.length ? t('notes.mention_list', { names: names.join(', ') }) : '');
}

// submitNote stores the reply box's text as an internal note.
export async function submitNote() {
  const id = store.get().selectedId;
  if (!id) { return; }
  clearFieldErrors($('reply-form'));
  const body = $('reply-body').value.trim();
  if (!body) {
    setFieldError('reply-body', t('validation.body_required'));
    $('reply-body').focus();
    return;
  }
  busy($('reply-btn'), true, t('complaint.sending'));
  const res = await api.addNote(id, body);
  busy($('reply-btn'), false);
  renderMode(store.get());
  if (res.ok) {
    if (store.get().selectedId === id) {
      $('reply-body').value = '';
      // The note begun is saved: the box may answer the citizen again.
      if (forcedFor === id) { typedForced = false; keepModes(); }
    }
    store.set({ composeSent: { id, at: Date.now() } });
    const names = (res.data.mentioned || []).map((a) => a.name);
    sayIn('ticket-live', names.length ? t('notes.saved_mentions', { names: names.join(', ') }) : t('notes.saved'), false);
    await loadTicket(id);
    return;
  }
  if (res.status === 401) { return; }
  const fields = fieldErrors(res);
  setFieldError('reply-body', fields.body ? String(fields.body) : errorMessage(res));
  $('reply-body').focus();
}

// ---- the bell ----

// Only the latest read is shown, and a mention pushed while a read is on
// its way starts another: an answer from before the push would take it
// back.
const readBell = latestRead(() => api.notifications(), (res) => {
  if (!res.ok || !store.get().agent) { return; }
  store.set({ notifications: { list: res.data.notifications || [], unread: res.data.unread || 0, loaded: true } });
});
export const loadNotifications = () => readBell();

// onNotification takes a notification.created event.
export function onNotification(d) {
  const s = store.get();
  if (!s.agent || Number(d.recipient_id) !== s.agent.id) { return; }
  const n = {
    id: d.notification_id, kind: d.kind, ticket_id: d.ticket_id, tracking_number: d.tracking_number,
    actor_name: d.actor_name, preview: d.preview, created_at: d.at, read_at: null,
  };
  // Already read in (a catch-up read may answer before its push): counted once.
  if (s.notifications.list.some((x) => x.id === n.id)) { return; }
  const list = [n].concat(s.notifications.list).slice(0, 50);
  store.set({ notifications: { list, unread: s.notifications.unread + 1, loaded: true } });
  setText('bell-live', t('notes.new_notification', { text: t('notes.mentioned_you', { actor: n.actor_name, tn: n.tracking_number }) }));
  if (readBell.reading()) { loadNotifications(); }
}

async function markRead(body) {
  const res = await api.readNotifications(body);
  if (!res.ok) { return; }
  const s = store.get();
  const now = new Date().toISOString();
  const list = s.notifications.list.map((n) => (body.all || (body.ids || []).indexOf(n.id) >= 0 ? Object.assign({}, n, { read_at: n.read_at || now }) : n));
  store.set({ notifications: { list, unread: res.data.unread || 0, loaded: true } });
}

function item(n) {
  const unread = !n.read_at;
  const btn = el('button', { type: 'button', 'class': 'bell-item' + (unread ? ' bell-unread' : ''), 'data-id': String(n.id) }, [
    unread ? el('span', { 'class': 'bell-dot', text: t('notes.unread') }) : null,
    el('span', { 'class': 'bell-what', text: t('notes.mentioned_you', { actor: n.actor_name || '', tn: n.tracking_number || '' }) }),
    el('span', { 'class': 'bell-preview', text: n.preview || '' }),
    el('time', { 'class': 'bell-time', datetime: n.created_at || null, text: shortTime(n.created_at) }),
  ]);
  btn.addEventListener('click', () => {
    if (!n.read_at) { markRead({ ids: [n.id] }); }
    closePanel(false);
    showTicket(n.ticket_id);
  });
  return el('li', null, [btn]);
}

function renderBell(s) {
  const n = s.notifications;
  const count = $('bell-count');
  count.textContent = n.unread > 99 ? '99+' : String(n.unread);
  count.hidden = !n.unread;
  $('bell-btn').setAttribute('aria-label', n.unread ? t('notes.bell_unread', { count: n.unread }) : t('notes.bell'));
  $('bell-btn').classList.toggle('bell-has-unread', n.unread > 0);
  const box = $('bell-list');
  // A list read again (the panel's load, a pushed mention) keeps the
  // focus on the notification that had it.
  const a = document.activeElement;
  const focused = a && box.contains(a) ? a.dataset.id : null;
  box.textContent = '';
  n.list.forEach((x) => box.appendChild(item(x)));
  if (focused) {
    const again = box.querySelector('[data-id="' + CSS.escape(focused) + '"]');
    if (again) { again.focus(); }
  }
  $('bell-empty').hidden = n.list.length > 0;
  // "Mark all read" goes once all are read: the focus, if on it, stays in the panel.
  if (!n.unread && document.activeElement === $('bell-mark-all')) { $('bell-title').focus(); }
  $('bell-mark-all').hidden = !n.unread;
}

function openPanel() {
  $('bell-panel').hidden = false;
  $('bell-btn').setAttribute('aria-expanded', 'true');
  loadNotifications();
  $('bell-title').focus();
}

function closePanel(focus) {
  $('bell-panel').hidden = true;
  $('bell-btn').setAttribute('aria-expanded', 'false');
  if (focus) { $('bell-btn').focus(); }
}

export function mount() {
  store.on(['composeMode', 'replyAllowed'], renderMode);
  store.on(['composeMode', 'replyAllowed'], keepModes);
  // A box that takes only notes (no reply allowed now) is in note mode:
  // when a reply is allowed again (a WhatsApp window opens) it goes back to
  // replying only if nothing is written in it, so a note being written
  // never turns into a reply to the citizen.
  const force = (id) => { forcedFor = id; typedForced = false; store.set({ composeMode: 'note' }); };
  store.on(['replyAllowed'], (s) => {
    if (!s.replyAllowed) {
      if (s.composeMode !== 'note') { force(s.selectedId); }
    } else if (forcedFor && forcedFor === s.selectedId && s.composeMode === 'note' && (!typedForced || !$('reply-body').value.trim())) {
      // What the box holds was not typed as a note (a reply's draft kept
      // for the ticket), or nothing is: back to replying.
      forcedFor = 0;
      store.set({ composeMode: 'reply' });
    }
  });
  $('reply-body').addEventListener('input', () => {
    if (forcedFor && forcedFor === store.get().selectedId && !typedForced) {
      // A note is begun: kept as a note from now on, also across a reload.
      typedForced = true;
      keepModes();
    }
  });
  store.on(['notifications'], renderBell);
  // A mention pushed while the socket was away is read on the catch-up.
  store.on(['catchUp'], (s) => { if (s.agent) { loadNotifications(); } });
  store.on(['selectedId'], (s) => {
    // The reply box's mode goes with its ticket, as its draft does: a note
    // begun on one ticket is not the mode of the next, where the agent
    // would save a note while meaning to answer the citizen.
    // A box that took only notes (no reply allowed there) kept a note
    // only if one was begun in it.
    if (modeFor) { modes.set(modeFor, modeLeft()); }
    forcedFor = 0;
    typedForced = false;
    showMode(s.selectedId);
    // Until the ticket shown says otherwise (replyAllowed changes when it
    // is drawn), the box takes only what the last one took.
    if (s.selectedId && !store.get().replyAllowed && store.get().composeMode !== 'note') { force(s.selectedId); }
    keepModes();
    mentionFor = 0;
    setText('note-mentions', '');
    if (isNoteMode() && s.selectedId) { loadMentionable(s.selectedId); }
  });
  store.on(['agentKey'], (s) => {
    // A new sign-in (or a reload) takes the modes kept for this agent; a
    // change of permissions keeps them.
    const id = s.agent ? s.agent.id : 0;
    if (id !== modesAgent) {
      modes.clear();
      modesAgent = id;
      if (id) { restoreModes(id); } else { keepModes(); }
      showMode(store.get().selectedId);
    }
    if (s.agent) { loadNotifications(); } else { store.set({ notifications: { list: [], unread: 0, loaded: false } }); closePanel(false); }
  });
  $('mode-reply').addEventListener('change', () => setMode('reply'));
  $('mode-note').addEventListener('change', () => setMode('note'));
  $('bell-btn').addEventListener('click', () => { if ($('bell-panel').hidden) { openPanel(); } else { closePanel(true); } });
  $('bell-mark-all').addEventListener('click', () => markRead({ all: true }));
  $('bell').addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !$('bell-panel').hidden) { ev.preventDefault(); closePanel(true); } });
  document.addEventListener('click', (ev) => { if (!$('bell-panel').hidden && !$('bell').contains(ev.target)) { closePanel(false); } });
  renderBell(store.get());
}
