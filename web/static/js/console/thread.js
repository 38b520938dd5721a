// The open ticket's conversation: header (subject, tracking number once,
// status, priority), who else is on it, the messages (delivery marks,
// attachments with images as thumbnails and recordings as players), the
// citizen's typing and the reply box, which stays in view below the
// thread. New citizen messages are announced to screen readers.
import * as store from './store.js';
import * as socket from './socket.js';
import * as api from './api.js';
import { $, t, has, el, label, setText, formatDate, subjectOf, cls, busy, setFieldError, clearFieldErrors, fieldErrors, errorMessage, sayIn } from './ui.js';
import { loadTicket, loadList } from './actions.js';
import { extendReply, replied } from './whatsapp.js';
import { isNoteMode, submitNote, noteBadge } from './notes.js';
import * as attach from './attach.js';
import { reveal } from './composer.js';

const box = $('t-messages');
// Typing: "on" goes out at the first key, again at most every TYPING_MS
// while keys come, and "off" after TYPING_IDLE_MS without one.
const TYPING_MS = 3000;
const TYPING_IDLE_MS = 4000;
let shown = { id: 0, sigs: new Map() };
// drafts keeps unsent replies by ticket while another ticket is open.
const drafts = new Map();
let draftFor = 0;
// Unsent replies outlive a reload of the page (switching the language,
// F5) in this tab's sessionStorage, with the agent they belong to: they
// come back only for that agent, and signing out removes them.
const KEPT = 'tanggap.reply-drafts';
function keepDrafts() {
  const agent = store.get().agent;
  if (!agent) { return; }
  const all = {};
  drafts.forEach((text, id) => { if (text.trim()) { all[id] = text; } });
  const open = $('reply-body').value;
  if (draftFor && open.trim()) { all[draftFor] = open; }
  try {
    if (Object.keys(all).length) {
      sessionStorage.setItem(KEPT, JSON.stringify({ agent: agent.id, drafts: all }));
    } else {
      sessionStorage.removeItem(KEPT);
    }
  } catch (e) { /* storage off: kept for this page only */ }
}
function restoreDrafts(agentID) {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEPT) || 'null');
    sessionStorage.removeItem(KEPT);
  } catch (e) { return; }
  if (!kept || kept.agent !== agentID || !kept.drafts) { return; }
  Object.keys(kept.drafts).forEach((id) => {
    const text = kept.drafts[id];
    if (typeof text === 'string' && !drafts.has(Number(id))) { drafts.set(Number(id), text); }
  });
  const body = $('reply-body');
  if (draftFor && !body.value && drafts.has(draftFor)) {
    body.value = drafts.get(draftFor);
    drafts.delete(draftFor);
  }
}
function dropKept() {
  try { sessionStorage.removeItem(KEPT); } catch (e) { /* nothing kept */ }
}

// trackingOf names the tickets read on this page, so an unsent reply is
// named by its tracking number after its ticket has closed (unsent.js).
const trackingOf = new Map();

// unsentReplies lists the replies written and not sent, the open ticket's
// first: {id, tracking, text} (tracking '' when never read here).
export function unsentReplies() {
  const out = [];
  const add = (id, text) => { if (id && text.trim()) { out.push({ id, tracking: trackingNumber(id), text }); } };
  add(draftFor, $('reply-body').value);
  drafts.forEach((text, id) => { if (id !== draftFor) { add(id, text); } });
  return out;
}

// hasDraft: a reply to ticket id, not the open one, is written and not
// sent.
export const hasDraft = (id) => id !== draftFor && (drafts.get(id) || '').trim() !== '';

// draftIDs are the tickets, not the open one, with a reply waiting.
export const draftIDs = () => [...drafts.keys()].filter(hasDraft);

// takeDraft hands over the unsent reply of ticket id, no longer the open
// one (it left the agent's sight): '' when there is none.
export function takeDraft(id) {
  if (id === draftFor) { return ''; }
  const text = drafts.get(id) || '';
  drafts.delete(id);
  return text;
}

// trackingNumber of ticket id as read on this page or listed, or ''.
export const trackingNumber = (id) => trackingOf.get(id) || (store.get().tickets.find((x) => x.id === id) || {}).tracking_number || '';

// Two agents answering one citizen at once: the reply box remembers the
// newest message of the ticket when this agent started writing (seen) and
// sends it with the reply. The server holds a reply sent after another
// agent's reply came in meanwhile (409 reply_collision, naming them), so
// the citizen is not told two different things by accident; the thread is
// read again, and sending again sends it.
let seen = { id: 0, last: 0 };
// The newest by id, as the server compares (the thread is in time order,
// which two instances' clocks may not keep in step with ids).
const lastMessageID = (tk) => (tk && tk.messages ? tk.messages.reduce((max, m) => Math.max(max, m.id || 0), 0) : 0);
function startedWriting(tk) {
  if (tk && seen.id !== tk.id) { seen = { id: tk.id, last: lastMessageID(tk) }; }
}
let typingSent = 0;
let typingOn = 0; // ticket the agent is shown typing on
let typingIdle = null;
let readUpTo = 0;

function attachment(a) {
  // Only same-origin paths become links: a URL is never trusted to be
  // harmless just because the API returned it.
  const href = typeof a.url === 'string' ? a.url : (a.id ? '/api/v1/attachments/' + encodeURIComponent(a.id) : '');
  const safe = href.charAt(0) === '/' && href.charAt(1) !== '/' && a.available !== false;
  let text = (a.filename || t('console.attachment')) + (a.size ? ' (' + attach.size(a.size) + ')' : '');
  if (a.available === false) { text += ' ' + t('console.attachment_unavailable'); }
  const mime = String(a.mime || '');
  const parts = [];
  if (safe && /^image\/(png|jpe?g|gif|webp)$/.test(mime)) {
    parts.push(el('a', { href, target: '_blank', rel: 'noopener', 'class': 'thumb-link' }, [
      el('img', { src: href, alt: t('console.image_alt', { name: a.filename || '' }), 'class': 'thumb', loading: 'lazy' }),
    ]));
  }
  parts.push(safe ? el('a', { href, target: '_blank', rel: 'noopener', text }) : el('span', { text }));
  if (safe && /^audio\//.test(mime)) {
    parts.push(el('audio', { controls: 'controls', preload: 'none', src: href, 'aria-label': text }));
  }
  return el('li', null, parts);
}

// reason says a provider's error in words when its code is one an agent
// can act on (the 24-hour window, a number not on WhatsApp, ...); any
// other error is shown as the provider gave it.
function reason(error) {
  const wa = /^WhatsApp error (\d+)\b/.exec(error);
  const key = wa ? 'delivery_reason.whatsapp_' + wa[1] : '';
  return key && has(key) ? label('', key) : error;
}

function message(m) {
  const dir = m.direction === 'out' ? 'out' : (m.direction === 'note' ? 'note' : 'in');
  const fallback = dir === 'out' ? t('console.message_out') : (dir === 'note' ? t('console.message_note') : t('console.message_in'));
  const head = [
    el('span', { 'class': 'msg-author', text: m.author || fallback }),
    el('time', { 'class': 'msg-time', datetime: m.created_at || null, text: formatDate(m.created_at) }),
  ];
  // A reply on a channel the server does not run was not sent, whatever
  // the queue still says (the server fails such replies: channel_off).
  const off = dir === 'out' && (m.delivery_error === 'channel_off' || (m.delivery_status === 'queued' && !store.runs(m.channel)));
  const status = off ? 'failed' : m.delivery_status;
  if (dir === 'out' && status) {
    head.push(el('span', { 'class': 'delivery delivery-' + cls(status), text: label('delivery.', status) }));
  }
  if (dir === 'note') { head.unshift(noteBadge(m)); }
  const children = [el('div', { 'class': 'msg-head' }, head)];
  if (m.body) { children.push(el('p', { 'class': 'msg-body', text: m.body })); }
  if (off) {
    children.push(el('p', { 'class': 'msg-error', text: t('console.delivery_channel_off', { channel: label('channel.', m.channel) }) }));
  } else if (m.delivery_error) {
    children.push(el('p', { 'class': 'msg-error', text: t('console.delivery_error', { error: reason(m.delivery_error) }) }));
  }
  const atts = Array.isArray(m.attachments) ? m.attachments : [];
  if (atts.length) {
    children.push(el('ul', { 'class': 'attachments', 'aria-label': t('console.attachments') }, atts.map(attachment)));
  }
  return el('li', { 'class': 'msg msg-' + dir, 'data-message-id': String(m.id) }, children);
}

const sigOf = (m) => JSON.stringify([m.body, m.delivery_status, m.delivery_error, (m.attachments || []).map((a) => a.available), store.runs(m.channel)]);

// narrow: the phone layout (app.css, max-width 899px), where the page
// scrolls and the reply box stays at the bottom of the screen.
const narrow = window.matchMedia('(max-width: 899px)');

// spaceAbove is where the page shows the thread: above the reply box,
// which stays at the bottom of a phone's screen.
function spaceAbove() {
  const c = $('composer');
  return window.innerHeight - (c && !c.hidden ? c.getBoundingClientRect().height : 0);
}

// latestInView: the newest message ends within slack px of what the page
// shows above the reply box (the agent has not scrolled back to read).
function latestInView(slack) {
  const last = box.lastElementChild;
  return !last || last.getBoundingClientRect().bottom <= spaceAbove() + slack;
}

// showLatest brings the newest message into view: the thread's own scroll
// box where it has one; on a phone, where the page scrolls, just above
// the reply box rather than under it.
function showLatest() {
  if (!narrow.matches) { box.scrollTop = box.scrollHeight; return; }
  const last = box.lastElementChild;
  if (!last) { return; }
  const over = last.getBoundingClientRect().bottom - (spaceAbove() - 8);
  if (over > 0) { window.scrollBy(0, over); }
}

// renderMessages changes only what changed, so a refresh neither moves the
// scroll position nor repeats the thread to a screen reader.
function renderMessages(tk) {
  const msgs = Array.isArray(tk.messages) ? tk.messages : [];
  const fresh = shown.id !== tk.id;
  if (fresh) {
    box.textContent = '';
    shown = { id: tk.id, sigs: new Map() };
  }
  const paged = narrow.matches; // one pane at a time: the page scrolls, not the thread
  const nearBottom = paged ? latestInView(80) : box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const added = [];
  const keep = new Set();
  msgs.forEach((m) => {
    const key = String(m.id);
    keep.add(key);
    const sig = sigOf(m);
    const old = box.querySelector('[data-message-id="' + CSS.escape(key) + '"]');
    if (old && shown.sigs.get(key) === sig) { return; }
    const node = message(m);
    if (old) { old.replaceWith(node); } else { box.appendChild(node); added.push(m); }
    shown.sigs.set(key, sig);
  });
  box.querySelectorAll('[data-message-id]').forEach((n) => { if (!keep.has(n.dataset.messageId)) { n.remove(); } });
  // A ticket just opened: after this frame's layout, once the reply box
  // below is drawn too (renderTicket shows it after the messages).
  if (fresh) { requestAnimationFrame(showLatest); } else if (added.length && nearBottom) { showLatest(); }
  if (!fresh) {
    const incoming = added.filter((m) => m.direction === 'in');
    if (incoming.length) {
      setText('t-announce', t('console.new_message', { text: incoming[incoming.length - 1].body || t('console.attachment') }));
    }
  }
}

function renderTicket(s) {
  const tk = s.ticket;
  const open = !!s.selectedId;
  $('ticket-placeholder').hidden = open;
  $('ticket-detail').hidden = !open;
  $('tickets-panel').classList.toggle('show-ticket', open);
  // Until the opened ticket is read, nothing of the one shown before
  // stays on screen: a reply typed then would go to the new ticket.
  const loaded = !!tk && tk.id === s.selectedId;
  $('ticket-detail').setAttribute('aria-busy', String(open && !loaded));
  if (!loaded) {
    if (open) {
      setText('t-subject', s.ticketError ? '' : t('common.loading'));
      setText('t-tn', '');
      $('t-status').textContent = '';
      $('t-priority').hidden = true;
      box.textContent = '';
      shown = { id: 0, sigs: new Map() };
      $('reply-form').hidden = true;
      $('callback-form').hidden = true;
      sayIn('ticket-live', s.ticketError, true);
    }
    return;
  }
  setText('t-subject', subjectOf(tk));
  setText('t-tn', tk.tracking_number);
  trackingOf.set(tk.id, tk.tracking_number);
  const st = $('t-status');
  st.textContent = label('ticket_status.', tk.status);
  st.className = 'badge badge-' + cls(tk.status);
  setText('t-priority', tk.priority ? label('priority.', tk.priority) : '');
  $('t-priority').hidden = !tk.priority;
  $('t-priority').className = 'badge badge-plain' + (tk.priority === 'urgent' || tk.priority === 'high' ? ' badge-priority-' + tk.priority : '');
  renderMessages(tk);
  const c = tk.contact || {};
  const w = tk.reply_window;
  // A ticket of a channel the server does not run (WhatsApp without its
  // settings) takes no reply at all: nothing would deliver it. The box
  // says so before the agent writes, and takes notes.
  const channelOff = !store.runs(tk.channel);
  setText('channel-off', channelOff ? label('channel_off.', tk.channel) : '');
  $('channel-off').hidden = !channelOff;
  // Phone tickets are answered by calling back; a closed WhatsApp window
  // takes templates only (whatsapp.js). The box stays for internal notes.
  const replyAllowed = !(channelOff || tk.status === 'closed' || tk.channel === 'voice' || (!!w && !w.open));
  $('reply-form').hidden = false;
  if (s.replyAllowed !== replyAllowed) { store.set({ replyAllowed }); }
  $('callback-form').hidden = tk.channel !== 'voice' || !c.phone;
  // Live chats: the citizen sees when the agent has read their messages.
  const lastIn = (tk.messages || []).filter((m) => m.direction === 'in').pop();
  if (tk.channel === 'livechat' && lastIn && readUpTo !== lastIn.id && document.visibilityState === 'visible') {
    readUpTo = lastIn.id;
    api.markRead(tk.id);
  }
  if (s.focusThread === tk.id) {
    store.set({ focusThread: 0 });
    focusOpened(tk, replyAllowed);
  }
}

// focusOpened: a ticket opened by a click (in the list, the contact's
// tickets, a notification) takes the focus. On a laptop, where the ticket
// takes a reply, the reply box takes it: what the agent types next is the
// reply, never a one-key shortcut (an "s" would choose to solve it), and a
// screen reader is told which ticket opened (t-announce), since the focus
// skips its heading. On a phone, where a focused box would bring up the
// keyboard over the thread, and on a ticket that takes no reply, the
// ticket itself takes it (named by its heading); a letter typed there
// still goes to the reply box (shortcuts.js).
function focusOpened(tk, replyAllowed) {
  const body = $('reply-body');
  if (!narrow.matches && replyAllowed && !body.closest('[hidden]')) {
    body.selectionStart = body.selectionEnd = body.value.length;
    body.focus();
    setText('t-announce', t('console.ticket_opened', { subject: subjectOf(tk), tn: tk.tracking_number || '' }));
    return;
  }
  $('ticket-detail').focus();
}

function renderPresence(s) {
  const id = s.selectedId;
  const viewers = (id && s.viewers[id]) || [];
  const texts = viewers.map((v) => t(v.typing ? 'console.viewer_typing' : 'console.viewer_viewing', { name: v.name || '' }));
  setText('t-viewers', texts.join(' · '));
  $('t-viewers').hidden = !texts.length;
  setText('t-typing', id && s.citizenTyping[id] ? t('console.citizen_typing') : '');
}

function stopTyping() {
  clearTimeout(typingIdle);
  if (typingOn) {
    socket.typing(typingOn, false);
    typingOn = 0;
  }
  typingSent = 0;
}

function onInput() {
  const s = store.get();
  const id = s.selectedId;
  if (s.ticket && s.ticket.id === id) { startedWriting(s.ticket); }
  if (!id || !s.ticket || isNoteMode()) { return; } // a note never shows the citizen a typing mark
  const now = Date.now();
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
  if (now - typingSent < TYPING_MS && typingOn === id) { return; }
  typingSent = now;
  if (socket.typing(id, true)) {
    typingOn = id;
  } else if (s.ticket.channel === 'livechat') {
    // Without the socket, live chats still learn it over HTTP.
    api.typing(id, true);
  }
}

async function submitReply(ev) {
  ev.preventDefault();
  if (isNoteMode()) { stopTyping(); submitNote(); return; }
  const id = store.get().selectedId;
  if (!id) { return; }
  const form = $('reply-form');
  clearFieldErrors(form);
  const body = $('reply-body').value.trim();
  if (!body && !attach.hasFiles()) {
    setFieldError('reply-body', t('validation.body_required'));
    $('reply-body').focus();
    return;
  }
  startedWriting(store.get().ticket);
  stopTyping();
  busy($('reply-btn'), true, t('complaint.sending'));
  const payload = extendReply({ body, seen: seen.id === id ? seen.last : 0 });
  const res = await api.reply(id, attach.hasFiles() ? attach.form(payload) : payload);
  busy($('reply-btn'), false);
  if (res.ok) {
    if (store.get().selectedId === id) { $('reply-body').value = ''; }
    drafts.delete(id);
    seen = { id: 0, last: 0 }; // the next reply starts afresh
    attach.sent(id);
    replied();
    store.set({ composeSent: { id, at: Date.now() } });
    sayIn('ticket-live', t('console.reply_sent'), false);
    await loadTicket(id);
    if (!socket.isOpen()) { loadList(); }
    return;
  }
  if (res.status === 401) { return; }
  const fields = fieldErrors(res);
  if (res.status === 409 && res.data && res.data.error && res.data.error.code === 'reply_collision') {
    await loadTicket(id); // their reply, to read first
    const tk = store.get().ticket;
    if (tk && tk.id === id) { seen = { id, last: lastMessageID(tk) }; } // told once: sending again sends
  }
  if (fields.files) {
    setFieldError('attach-btn', String(fields.files));
    reveal();
    $('attach-btn').focus();
    return;
  }
  const problem = fields.body || fields.buttons;
  setFieldError('reply-body', problem ? String(problem) : errorMessage(res));
  $('reply-body').focus();
}

async function submitCallBack(ev) {
  ev.preventDefault();
  const id = store.get().selectedId;
  if (!id) { return; }
  busy($('callback-btn'), true, t('console.call_back_started'));
  const res = await api.callBack(id, $('callback-to').value.trim());
  busy($('callback-btn'), false);
  if (res.ok) {
    sayIn('ticket-live', t('console.call_back_started'), false);
  } else if (res.status !== 401) {
    sayIn('ticket-live', errorMessage(res), true);
  }
}

// forgetDrafts drops every unsent reply: they belong to the agent who
// wrote them, and another agent signs in next (see main.js).
export function forgetDrafts() {
  drafts.clear();
  dropKept();
  draftFor = 0;
  seen = { id: 0, last: 0 };
  $('reply-body').value = '';
}

// keepLatest: the reply box grew by grew px (the canned-reply list
// opened under the text box, the drawer opened, the text grew). Its
// growth took room from the thread, on a phone by lying over it, on a
// laptop by making it shorter; if the newest message was in sight before,
// the message being answered, it is brought back into sight.
function keepLatest(grew, threadWas) {
  if (narrow.matches) {
    // In sight above the grown box: nothing to do. Else, if it was in
    // sight above the box as it was (latestInView reckons with its new
    // height), the box now lies over it.
    if (!latestInView(0) && latestInView(80 + grew)) { showLatest(); }
    return;
  }
  const shrunk = Math.max(0, threadWas - box.clientHeight);
  if (shrunk && box.scrollHeight - box.scrollTop - box.clientHeight - shrunk < 80) { showLatest(); }
}

// measureSticky keeps the sizes of what stays on a phone's screen over the
// thread (the header and who else is on the ticket at the top, the reply
// box at the bottom) in CSS variables: the banner is placed under the
// header, and the page scrolls a focused element clear of all three
// (app.css, scroll-padding). A reply box that grows keeps the newest
// message in sight (keepLatest).
function measureSticky() {
  const head = document.querySelector('#ticket-detail .ticket-head');
  const viewers = $('t-viewers');
  const composer = $('composer');
  const root = document.documentElement.style;
  let was = { composer: 0, thread: 0 };
  const set = () => {
    const h = head.getBoundingClientRect().height;
    const v = viewers.hidden ? 0 : viewers.getBoundingClientRect().height;
    const c = composer.getBoundingClientRect().height;
    $('ticket-detail').style.setProperty('--ticket-head-h', h + 'px');
    root.setProperty('--ticket-top', (h + v) + 'px');
    root.setProperty('--composer-h', c + 'px');
    if (was.composer && c > was.composer + 1 && box.lastElementChild) { keepLatest(c - was.composer, was.thread); }
    was = { composer: c, thread: box.clientHeight };
  };
  if (typeof ResizeObserver === 'function') {
    const ro = new ResizeObserver(set);
    [head, viewers, composer].forEach((n) => ro.observe(n));
  }
}

export function mount() {
  measureSticky();
  window.addEventListener('pagehide', keepDrafts);
  // Signed in: what this agent left before a reload comes back. Signed
  // out (on purpose, or the session ended): nothing stays in the tab's
  // storage for whoever uses the browser next.
  store.on(['agent'], (s) => { if (s.agent) { restoreDrafts(s.agent.id); } else { dropKept(); } });
  store.on(['ticket', 'selectedId', 'ticketError', 'channels'], renderTicket);
  store.on(['selectedId', 'viewers', 'citizenTyping'], renderPresence);
  store.on(['selectedId'], (s) => {
    stopTyping();
    // A reply being written belongs to its ticket: keep it there, and
    // never carry it (or a number to call) over to the next citizen.
    const body = $('reply-body');
    if (draftFor) { drafts.set(draftFor, body.value); }
    body.value = drafts.get(s.selectedId) || '';
    drafts.delete(s.selectedId);
    draftFor = s.selectedId;
    $('callback-to').value = '';
    socket.view(s.selectedId);
    sayIn('ticket-live', '', false);
    setText('t-announce', '');
    clearFieldErrors($('reply-form'));
  });
  $('reply-body').addEventListener('input', onInput);
  $('reply-body').addEventListener('blur', () => { if (typingOn) { clearTimeout(typingIdle); typingIdle = setTimeout(stopTyping, 1000); } });
  // Ctrl+Enter sends, as in most consoles.
  $('reply-body').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); $('reply-form').requestSubmit(); }
  });
  $('reply-form').addEventListener('submit', submitReply);
  $('callback-form').addEventListener('submit', submitCallBack);
  $('back-btn').addEventListener('click', () => {
    const id = store.get().selectedId;
    history.replaceState(null, '', location.pathname + location.search);
    store.set({ selectedId: 0, ticket: null, routing: null });
    const btn = $('ticket-list').querySelector('[data-ticket-id="' + id + '"]');
    if (btn) { btn.focus(); }
  });
}
