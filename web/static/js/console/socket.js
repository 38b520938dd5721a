// The console's one push socket: GET /api/v1/ws (same origin, the session
// cookie authenticates it). It connects after sign-in, reconnects with
// backoff, and on every hello re-reads what is on screen (the catch-up:
// the server replays nothing). Events go to live.js, which writes them
// into the store; viewers frames go to the store directly. While the
// socket is down the console polls what is on screen every POLL_MS.
//
// Sent to the server: view (the ticket on screen), typing (the agent is
// writing a reply), ping. Nothing else in the console opens a socket.
import * as store from './store.js';
import * as api from './api.js';
import { refreshOnScreen } from './actions.js';
import { applyEvent } from './live.js';
import { t } from './ui.js';

export const POLL_MS = 60000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
// A server without the socket is asked again this rarely.
const ABSENT_RETRY_MS = 5 * 60000;
const PING_MS = 25000;

let ws = null;
let retryTimer = null;
let pollTimer = null;
let pingTimer = null;
let attempt = 0;
let wanted = false;
let viewing = 0;
// The plain request before the handshake is skipped once the socket has
// greeted this page, unless the last handshake failed (an ended session
// answers 401 there, which only the plain request can read).
let greeted = false;
let handshakeFailed = false;

function setState(socket) {
  store.set({ socket });
  if (socket === 'open') { stopPoll(); } else { startPoll(); }
}

function startPoll() {
  if (pollTimer || !wanted) { return; }
  pollTimer = setInterval(() => {
    if (!document.hidden) { refreshOnScreen(); }
  }, POLL_MS);
}

function stopPoll() {
  if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
}

function schedule(ms) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, ms);
}

function backoff() {
  attempt++;
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt - 1));
  return base / 2 + Math.random() * base / 2;
}

function send(frame) {
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

async function connect() {
  if (!wanted || ws) { return; }
  setState(store.get().socket === 'unavailable' ? 'unavailable' : 'connecting');
  // Ask first with a plain request: a server without the socket answers
  // 404, and the console then stays on polling without a failed
  // handshake every few seconds.
  if (!greeted || handshakeFailed) {
    const probe = await api.probeSocket();
    if (!wanted || ws) { return; }
    if (probe.status === 401) { return; } // signed out: the store knows
    if (probe.status === 404) {
      setState('unavailable');
      schedule(ABSENT_RETRY_MS);
      return;
    }
    if (probe.status === 0) {
      setState('down');
      schedule(backoff());
      return;
    }
  }
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/ws';
  let sock;
  try {
    sock = new WebSocket(url);
  } catch (e) {
    setState('down');
    schedule(backoff());
    return;
  }
  ws = sock;
  let opened = false;
  sock.addEventListener('open', () => { opened = true; handshakeFailed = false; });
  sock.addEventListener('message', (ev) => {
    if (ws !== sock) { return; }
    let f;
    try { f = JSON.parse(ev.data); } catch (e) { return; }
    receive(f);
  });
  sock.addEventListener('close', () => {
    if (ws !== sock) { return; }
    ws = null;
    clearInterval(pingTimer);
    if (!opened) { handshakeFailed = true; }
    if (!wanted) { return; }
    setState('down');
    schedule(backoff());
  });
}

function receive(f) {
  switch (f && f.type) {
    case 'hello':
      attempt = 0;
      greeted = true;
      setState('open');
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: 'ping' }), PING_MS);
      if (viewing) { send({ type: 'view', ticket_id: viewing }); }
      // A hello again carries rights an admin changed: screens follow
      // them. Unchanged rights leave the agent as it is (every screen
      // listens to it).
      if (Array.isArray(f.permissions) && store.get().agent) {
        const a = store.get().agent;
        if ((a.permissions || []).slice().sort().join() !== f.permissions.slice().sort().join()) {
          store.set({ agent: Object.assign({}, a, { permissions: f.permissions }) });
        }
      }
      refreshOnScreen();
      break;
    case 'event':
      applyEvent(f.event, f.data || {});
      break;
    case 'viewers':
      store.set({ viewers: store.bump(store.get().viewers, f.ticket_id, Array.isArray(f.viewers) && f.viewers.length ? f.viewers : undefined) });
      break;
    case 'bye':
      wanted = false;
      store.set({ agent: null, signedOut: t('console.session_expired') });
      break;
    default:
      break; // pong and frames of later versions
  }
}

// start connects for the signed-in agent; stop closes on sign-out.
export function start() {
  if (wanted) { return; }
  wanted = true;
  attempt = 0;
  connect();
}

export function stop() {
  wanted = false;
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  stopPoll();
  viewing = 0;
  if (ws) {
    const s = ws;
    ws = null;
    s.close(1000);
  }
  store.set({ socket: 'connecting', viewers: {}, citizenTyping: {} });
}

// reconnectNow skips the wait (the browser came back online).
export function reconnectNow() {
  if (wanted && !ws) { attempt = 0; schedule(0); }
}

// view tells the server which ticket is on screen (0: none).
export function view(ticketId) {
  viewing = ticketId || 0;
  send({ type: 'view', ticket_id: viewing });
}

// typing says the agent is (or stopped) writing a reply on a ticket. It
// answers false when the socket is not open, so the caller can use the
// HTTP fallback.
export function typing(ticketId, on) {
  return send({ type: 'typing', ticket_id: ticketId, on: !!on });
}

export const isOpen = () => !!ws && ws.readyState === WebSocket.OPEN && store.get().socket === 'open';

window.addEventListener('online', reconnectNow);
// Coming back to a hidden tab without the socket: catch up at once rather
// than at the next poll.
document.addEventListener('visibilitychange', () => {
  if (wanted && !document.hidden && store.get().socket !== 'open') { refreshOnScreen(); }
});
