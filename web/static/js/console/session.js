// Sign-in form, the console bar (who is signed in, presence, the socket's
// state, sign-out) and the first-run hint for an agent who is "offline"
// with nothing in the list.
import * as store from './store.js';
import * as api from './api.js';
import * as socket from './socket.js';
import { $, t, label, setText, showAlert, clearFieldErrors, setFieldError, focusFirstInvalid, busy, errorMessage, cls } from './ui.js';
import { loadList } from './actions.js';
import { confirmSignOut } from './unsent.js';

function renderView(s) {
  $('boot').hidden = true;
  $('login-view').hidden = !!s.agent;
  $('console-view').hidden = !s.agent;
  if (!s.agent) {
    showAlert($('login-alert'), s.signedOut || '', false);
    $('login-email').focus();
  }
}

function renderAgent(s) {
  const a = s.agent;
  if (!a) { return; }
  setText('agent-name', a.name || a.email || '');
  // built-in roles in the reader's language, others as their admin named them
  setText('agent-role', !a.role ? '' : (['agent', 'supervisor', 'admin'].indexOf(a.role) >= 0 ? label('role.', a.role) : (a.role_label || a.role)));
  const sel = $('presence');
  const p = a.presence || 'offline';
  if (Array.prototype.some.call(sel.options, (o) => o.value === p)) { sel.value = p; }
  $('presence-dot').className = 'presence-dot presence-' + cls(p);
}

const LIVE_TEXT = {
  connecting: 'console.live_connecting',
  open: 'console.live_open',
  down: 'console.live_down',
  unavailable: 'console.live_unavailable',
};

function renderLive(s) {
  const box = $('live-state');
  box.className = 'live-state live-' + s.socket;
  box.textContent = LIVE_TEXT[s.socket] ? t(LIVE_TEXT[s.socket]) : '';
  document.documentElement.dataset.socket = s.socket;
}

// The hint shows while an offline agent looks at an empty list: nothing
// will reach them until they say they are ready.
function renderFirstRun(s) {
  const show = !!s.agent && (s.agent.presence || 'offline') === 'offline' && !!s.listAt && s.tickets.length === 0 && !s.boardShown;
  $('first-run').hidden = !show;
  if (show) {
    setText('first-run-text', t('console.first_run', {
      offline: label('presence.', 'offline'), online: label('presence.', 'online'), field: t('console.presence'),
    }));
    setText('first-run-btn', t('console.first_run_action', { online: label('presence.', 'online') }));
  }
}

async function changePresence(want) {
  const res = await api.setPresence(want);
  const s = store.get();
  if (!s.agent) { return; } // signed out meanwhile
  if (res.ok) {
    const presence = (res.data && (res.data.presence || (res.data.agent && res.data.agent.presence))) || want;
    store.set({ agent: Object.assign({}, s.agent, { presence }) });
    showAlert($('console-alert'), '', false);
    loadList();
    return;
  }
  renderAgent(s);
  showAlert($('console-alert'), errorMessage(res), false);
}

export function mount() {
  store.on(['agent'], (s) => { renderView(s); renderAgent(s); renderFirstRun(s); });
  store.on(['socket'], renderLive);
  store.on(['tickets', 'listAt', 'boardShown'], renderFirstRun);
  renderLive(store.get());

  const form = $('login-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    showAlert($('login-alert'), '', false);
    const email = $('login-email').value.trim();
    const password = $('login-password').value;
    if (!email) { setFieldError('login-email', t('validation.required')); }
    if (!password) { setFieldError('login-password', t('validation.required')); }
    if (focusFirstInvalid(form)) { return; }
    busy($('login-btn'), true, t('common.loading'));
    const res = await api.login(email, password);
    busy($('login-btn'), false);
    if (res.ok && res.data && res.data.agent) {
      $('login-password').value = '';
      store.set({ signedOut: '', channels: res.data.channels || [], agent: res.data.agent });
      // The form that held the focus is gone: the agent's first control
      // (their presence, to start taking tickets) takes it, so keyboard
      // and screen reader users do not start again at the top.
      $('presence').focus();
      return;
    }
    showAlert($('login-alert'), errorMessage(res), true);
  });

  $('logout-btn').addEventListener('click', async () => {
    // Replies written and not sent are not dropped unasked.
    if (!await confirmSignOut($('logout-btn'))) { return; }
    // The socket closes first: the server's "session ended" for this very
    // sign-out would otherwise show the form early, with "session
    // expired", and what is typed there would be wiped below.
    socket.stop();
    await api.logout();
    // Signing out on purpose leaves nothing for whoever uses the browser
    // next: no open ticket in the address, no email in the form.
    history.replaceState(null, '', location.pathname + location.search);
    $('login-email').value = '';
    store.set({ agent: null, signedOut: '' });
  });
  $('presence').addEventListener('change', () => changePresence($('presence').value));
  $('first-run-btn').addEventListener('click', () => {
    changePresence('online');
    $('presence').focus();
  });
}
