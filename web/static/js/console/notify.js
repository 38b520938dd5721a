// Notifications, each switched by the agent (saved in this browser):
// unread counts (badges in the list, the total in the page title), a
// sound, and a desktop notification for a ticket assigned to me and a new
// citizen message on my tickets. Desktop notifications ask the browser's
// permission only when the agent ticks the box. Screen readers are told of
// both in any case (#console-announce).
import * as store from './store.js';
import { $, t, subjectOf } from './ui.js';

const KEY = 'tanggap.console.notify';
const baseTitle = document.title;
let audio = null;

function loadSettings() {
  const s = Object.assign({}, store.get().settings);
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || '{}');
    for (const k of Object.keys(s)) {
      if (typeof saved[k] === 'boolean') { s[k] = saved[k]; }
    }
  } catch (e) { /* private mode or bad JSON: defaults */ }
  if (!('Notification' in window) || Notification.permission !== 'granted') { s.desktop = false; }
  return s;
}

function save(settings) {
  store.set({ settings });
  try { localStorage.setItem(KEY, JSON.stringify(settings)); } catch (e) { /* not kept */ }
}

function beep() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.4);
  } catch (e) { /* no audio here */ }
}

// What is about to be announced (see announce).
let pending = []; // [{kind, id, text}]
let announcing = 0;
const ANNOUNCE_GATHER_MS = 200;

// announce tells screen readers (#console-announce) of one event. Events
// often come together (a new ticket given to me and its first message,
// in one burst of the socket): what comes within ANNOUNCE_GATHER_MS is
// said as one text, so a later one does not replace an earlier one before
// it was read, and a message on a ticket announced as mine in the same
// text is not said twice. It reports whether this event is said.
function announce(kind, id, text) {
  if (kind === 'message' && pending.some((p) => p.kind === 'assigned' && p.id === id)) { return false; }
  if (kind === 'assigned') { pending = pending.filter((p) => !(p.kind === 'message' && p.id === id)); }
  pending.push({ kind, id, text });
  if (announcing) { return true; }
  const say = $('console-announce');
  // Emptied first and filled a moment later, so the same words twice are
  // read twice.
  say.textContent = '';
  announcing = setTimeout(() => {
    // One sentence each: a full stop between them unless one ends one.
    const all = pending.map((p) => p.text).reduce((said, x) => (said ? said + (/[.!?]$/.test(said) ? ' ' : '. ') + x : x), '');
    pending = [];
    announcing = 0;
    if (store.get().agent) { say.textContent = all; }
  }, ANNOUNCE_GATHER_MS);
  return true;
}

// notify signals an event worth the agent's attention: kind 'assigned'
// (a ticket assigned to me) or 'message' (a citizen wrote on my ticket).
export function notify(kind, tk) {
  const s = store.get().settings;
  // Screen readers hear it whatever the settings: the list's badges,
  // sound and desktop notices are what sighted agents chose.
  const what = [tk.tracking_number, tk.subject ? subjectOf(tk) : '', kind === 'message' ? tk.preview || '' : ''].filter(Boolean).join(' · ');
  const text = (kind === 'assigned' ? t('notify.assigned_title') : t('notify.message_title')) + (what ? ': ' + what : '');
  if (!announce(kind, tk.id, text)) { return; } // said with its ticket's assignment
  if (s.sound) { beep(); }
  if (s.desktop && 'Notification' in window && Notification.permission === 'granted' && document.hidden) {
    const title = kind === 'assigned' ? t('notify.assigned_title') : t('notify.message_title');
    const body = [tk.tracking_number, tk.subject ? subjectOf(tk) : '', tk.preview || ''].filter(Boolean).join(' · ');
    try {
      const n = new Notification(title, { body, tag: 'tanggap-' + kind + '-' + tk.id });
      n.addEventListener('click', () => {
        window.focus();
        location.hash = '#ticket-' + tk.id;
        n.close();
      });
    } catch (e) { /* the browser refused */ }
  }
}

// renderTitle counts what the list's badges show: messages on tickets
// in the list, not those of a ticket that left it or never came in.
function renderTitle(s) {
  const total = s.settings.unread ? s.tickets.reduce((n, tk) => n + (s.unread[tk.id] || 0), 0) : 0;
  document.title = total ? '(' + total + ') ' + baseTitle : baseTitle;
}

function renderSettings(s) {
  $('notify-unread').checked = s.settings.unread;
  $('notify-sound').checked = s.settings.sound;
  $('notify-desktop').checked = s.settings.desktop;
  let hint = '';
  if (!('Notification' in window)) {
    hint = t('notify.desktop_unsupported');
    $('notify-desktop').disabled = true;
  } else if (Notification.permission === 'denied') {
    hint = t('notify.desktop_denied');
  } else {
    hint = t('notify.desktop_hint');
  }
  $('notify-desktop-hint').textContent = hint;
}

export function mount() {
  store.set({ settings: loadSettings() });
  store.on(['unread', 'settings', 'tickets'], renderTitle);
  store.on(['settings'], renderSettings);
  renderSettings(store.get());
  $('notify-unread').addEventListener('change', (ev) => {
    save(Object.assign({}, store.get().settings, { unread: ev.target.checked }));
  });
  $('notify-sound').addEventListener('change', (ev) => {
    save(Object.assign({}, store.get().settings, { sound: ev.target.checked }));
    if (ev.target.checked) { beep(); } // also unlocks audio on this click
  });
  $('notify-desktop').addEventListener('change', async (ev) => {
    const want = ev.target.checked;
    if (want && 'Notification' in window && Notification.permission !== 'granted') {
      const p = await Notification.requestPermission();
      save(Object.assign({}, store.get().settings, { desktop: p === 'granted' }));
      return;
    }
    save(Object.assign({}, store.get().settings, { desktop: want }));
  });
  $('notify-settings').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && ev.currentTarget.open) {
      ev.currentTarget.open = false;
      ev.currentTarget.querySelector('summary').focus();
    }
  });
  // Coming back to the page counts the open ticket's messages as seen.
  document.addEventListener('visibilitychange', () => {
    const s = store.get();
    if (!document.hidden && s.selectedId && s.unread[s.selectedId]) {
      store.set({ unread: store.bump(s.unread, s.selectedId, undefined) });
    }
  });
}
