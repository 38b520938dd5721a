// Agent console: sign in, presence, the ticket list (re-read every few
// seconds until realtime push arrives), one ticket's thread, replies and
// status changes. The session lives in an HttpOnly cookie; every call
// carries X-Requested-With so the API can refuse cross-site requests.
(function () {
  'use strict';
  var T = window.Tanggap;
  var t = T.t;
  var REFRESH_MS = 5000;

  var $ = function (id) { return document.getElementById(id); };
  var boot = $('boot');
  var loginView = $('login-view');
  var consoleView = $('console-view');
  var loginForm = $('login-form');
  var loginAlert = $('login-alert');
  var consoleAlert = $('console-alert');
  var list = $('ticket-list');
  var grid = document.querySelector('.console-grid');
  if (!loginForm || !consoleView) { return; }

  var state = { agent: null, tickets: [], selected: null, ticketSig: '', timer: null };

  // call wraps T.api: a 401 means the session ended, so the console goes
  // back to the sign-in form instead of showing a broken page.
  async function call(method, url, body) {
    var res = await T.api(method, url, body);
    if (res.status === 401 && state.agent) {
      signedOut(t('console.session_expired'));
    }
    return res;
  }

  function showLogin(message) {
    boot.hidden = true;
    consoleView.hidden = true;
    loginView.hidden = false;
    T.showAlert(loginAlert, message || '', false);
    $('login-email').focus();
  }

  // announceAgent tells the other parts of the console (board.js) who is
  // signed in, or that nobody is (null). T.agent holds it for parts that
  // start later than the sign-in.
  function announceAgent(agent) {
    T.agent = agent;
    document.dispatchEvent(new CustomEvent('tanggap:agent', { detail: agent }));
  }

  function signedOut(message) {
    state.agent = null;
    state.selected = null;
    stopRefresh();
    announceAgent(null);
    showLogin(message);
  }

  function showConsole(agent) {
    state.agent = agent;
    boot.hidden = true;
    loginView.hidden = true;
    consoleView.hidden = false;
    T.setText('agent-name', agent.name || agent.email || '');
    T.setText('agent-role', agent.role ? T.label('role.', agent.role) : '');
    setPresence(agent.presence || 'offline');
    var m = /^#ticket-(\d+)$/.exec(location.hash);
    refreshList();
    if (m) { openTicket(m[1], false); }
    startRefresh();
    announceAgent(agent);
  }

  function setPresence(p) {
    var sel = $('presence');
    if (Array.prototype.some.call(sel.options, function (o) { return o.value === p; })) { sel.value = p; }
    $('presence-dot').className = 'presence-dot presence-' + String(p).replace(/[^a-z]/g, '');
  }

  loginForm.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    T.clearFieldErrors(loginForm);
    T.showAlert(loginAlert, '', false);
    var email = $('login-email').value.trim();
    var password = $('login-password').value;
    if (!email) { T.setFieldError('login-email', t('validation.required')); }
    if (!password) { T.setFieldError('login-password', t('validation.required')); }
    if (T.focusFirstInvalid(loginForm)) { return; }
    T.busy($('login-btn'), true, t('common.loading'));
    var res = await T.api('POST', '/api/v1/auth/login', { email: email, password: password });
    T.busy($('login-btn'), false);
    if (res.ok && res.data && res.data.agent) {
      $('login-password').value = '';
      showConsole(res.data.agent);
      return;
    }
    T.showAlert(loginAlert, T.errorMessage(res), true);
  });

  $('logout-btn').addEventListener('click', async function () {
    await call('POST', '/api/v1/auth/logout');
    signedOut('');
  });

  $('presence').addEventListener('change', async function () {
    var want = $('presence').value;
    var res = await call('PUT', '/api/v1/agents/me/presence', { presence: want });
    if (!state.agent) { return; } // signed out meanwhile
    if (res.ok) {
      state.agent.presence = (res.data && res.data.presence) || want;
      setPresence(state.agent.presence);
      T.showAlert(consoleAlert, '', false);
      refreshList();
      return;
    }
    setPresence(state.agent.presence || 'offline');
    T.showAlert(consoleAlert, T.errorMessage(res), false);
  });

  // ---- ticket list ----

  function listURL() {
    var q = new URLSearchParams({ scope: $('scope').value });
    if ($('status-filter').value) { q.set('status', $('status-filter').value); }
    return '/api/v1/tickets?' + q.toString();
  }

  function statusBadge(status) {
    return T.el('span', { 'class': 'badge badge-' + String(status || '').replace(/[^a-z]/g, ''), text: T.label('ticket_status.', status) });
  }

  function renderList() {
    var focusedId = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.ticketId : null;
    list.textContent = '';
    state.tickets.forEach(function (tk) {
      var id = String(tk.id);
      var btn = T.el('button', {
        type: 'button',
        'class': 'ticket-item',
        'data-ticket-id': id,
        'aria-current': state.selected === id ? 'true' : null
      }, [
        T.el('span', { 'class': 'ticket-item-top' }, [
          T.el('span', { 'class': 'ticket-subject', text: tk.subject || T.label('category.', tk.category) || tk.tracking_number }),
          statusBadge(tk.status)
        ]),
        T.el('span', { 'class': 'ticket-item-meta' }, [
          T.el('span', { text: tk.contact_name || '' }),
          T.el('span', { 'class': 'mono', text: tk.tracking_number || '' })
        ]),
        T.el('span', { 'class': 'ticket-item-meta' }, [
          T.el('span', { text: T.label('channel.', tk.channel) + (tk.queue ? ' · ' + tk.queue : '') }),
          T.el('time', { datetime: tk.last_message_at || tk.updated_at || null, text: T.formatDate(tk.last_message_at || tk.updated_at) })
        ])
      ]);
      btn.addEventListener('click', function () { openTicket(id, true); });
      list.appendChild(T.el('li', null, [btn]));
    });
    $('list-empty').hidden = state.tickets.length > 0;
    if (focusedId) {
      var again = list.querySelector('[data-ticket-id="' + CSS.escape(focusedId) + '"]');
      if (again) { again.focus(); }
    }
  }

  async function refreshList() {
    if (!state.agent) { return; }
    var res = await call('GET', listURL());
    if (!res.ok) {
      if (res.status !== 401) { T.showAlert(consoleAlert, T.errorMessage(res), false); }
      return;
    }
    T.showAlert(consoleAlert, '', false);
    state.tickets = (res.data && Array.isArray(res.data.tickets)) ? res.data.tickets : [];
    renderList();
    T.setText('list-updated', t('console.updated_at', { time: T.formatDate(new Date().toISOString()) }));
  }

  $('scope').addEventListener('change', refreshList);
  $('status-filter').addEventListener('change', refreshList);

  // ---- one ticket ----

  function renderMessage(m) {
    var dir = m.direction === 'out' ? 'out' : (m.direction === 'note' ? 'note' : 'in');
    var fallback = dir === 'out' ? t('console.message_out') : (dir === 'note' ? t('console.message_note') : t('console.message_in'));
    var who = m.author || fallback;
    var head = [
      T.el('span', { 'class': 'msg-author', text: who }),
      T.el('time', { 'class': 'msg-time', datetime: m.created_at || null, text: T.formatDate(m.created_at) })
    ];
    if (dir === 'out' && m.delivery_status) {
      head.push(T.el('span', {
        'class': 'delivery delivery-' + String(m.delivery_status).replace(/[^a-z]/g, ''),
        text: T.label('delivery.', m.delivery_status)
      }));
    }
    var children = [T.el('div', { 'class': 'msg-head' }, head), T.el('p', { 'class': 'msg-body', text: m.body || '' })];
    if (m.delivery_error) {
      children.push(T.el('p', { 'class': 'msg-error', text: t('console.delivery_error', { error: m.delivery_error }) }));
    }
    var atts = Array.isArray(m.attachments) ? m.attachments : [];
    if (atts.length) {
      children.push(T.el('ul', { 'class': 'attachments', 'aria-label': t('console.attachments') }, atts.map(function (a) {
        // Only same-origin paths become links: a URL is never trusted
        // to be harmless just because the API returned it.
        var href = typeof a.url === 'string' ? a.url : (a.id ? '/api/v1/attachments/' + encodeURIComponent(a.id) : '');
        var safe = href.charAt(0) === '/' && href.charAt(1) !== '/' && a.available !== false;
        var text = (a.filename || t('console.attachment')) + (a.size ? ' (' + Math.max(1, Math.round(a.size / 1024)) + ' KB)' : '');
        if (a.available === false) { text += ' ' + t('console.attachment_unavailable'); }
        var item = [safe ? T.el('a', { href: href, target: '_blank', rel: 'noopener', text: text }) : T.el('span', { text: text })];
        // Voicemail recordings play in place.
        if (safe && /^audio\//.test(String(a.mime || ''))) {
          item.push(T.el('audio', { controls: 'controls', preload: 'none', src: href, 'aria-label': text }));
        }
        return T.el('li', null, item);
      })));
    }
    return T.el('li', { 'class': 'msg msg-' + dir }, children);
  }

  function renderTicket(tk) {
    T.setText('t-subject', tk.subject || T.label('category.', tk.category) || tk.tracking_number);
    T.setText('t-tn', tk.tracking_number);
    var st = $('t-status');
    st.textContent = T.label('ticket_status.', tk.status);
    st.className = 'badge badge-' + String(tk.status || '').replace(/[^a-z]/g, '');
    T.setText('t-priority', tk.priority ? T.label('priority.', tk.priority) : '');
    var c = tk.contact || {};
    T.setText('t-contact-name', c.name || tk.contact_name || '—');
    T.setText('t-contact-phone', c.phone || '—');
    T.setText('t-contact-email', c.email || '—');
    T.setText('t-contact-nik', c.nik_masked || '—');
    T.setText('t-channel', T.label('channel.', tk.channel));
    T.setText('t-category', T.label('category.', tk.category) || '—');
    T.setText('t-queue', tk.queue || '—');
    T.setText('t-assignee', tk.assignee_name || t('console.unassigned'));
    var sel = $('t-status-select');
    if (document.activeElement !== sel && Array.prototype.some.call(sel.options, function (o) { return o.value === tk.status; })) {
      sel.value = tk.status;
    }
    // Re-render the thread only when it changed, so a refresh does not
    // move the scroll position or repeat it to a screen reader.
    var msgs = Array.isArray(tk.messages) ? tk.messages : [];
    var sig = JSON.stringify(msgs.map(function (m) {
      return [m.id, m.delivery_status, m.delivery_error, (m.attachments || []).map(function (a) { return a.available; })];
    }));
    if (sig !== state.ticketSig) {
      state.ticketSig = sig;
      var box = $('t-messages');
      box.textContent = '';
      msgs.forEach(function (m) { box.appendChild(renderMessage(m)); });
    }
    // Phone tickets are answered by calling the citizen back: a text reply
    // could never reach them.
    $('reply-form').hidden = tk.status === 'closed' || tk.channel === 'voice';
    $('callback-form').hidden = tk.channel !== 'voice' || !c.phone;
    // Live chats: the citizen sees when the agent has read their messages.
    state.liveChat = tk.channel === 'livechat';
    var lastIn = msgs.filter(function (m) { return m.direction === 'in'; }).pop();
    if (state.liveChat && lastIn && state.readUpTo !== lastIn.id && document.visibilityState === 'visible') {
      state.readUpTo = lastIn.id;
      call('POST', '/api/v1/tickets/' + encodeURIComponent(tk.id) + '/read', {});
    }
    // Channel parts of the console (whatsapp.js) draw their own bits.
    document.dispatchEvent(new CustomEvent('tanggap:ticket', { detail: tk }));
  }
  document.addEventListener('tanggap:refresh', function () { if (state.selected) { loadTicket(state.selected); } });

  // Live chats: tell the citizen the agent is typing (at most every 3 s).
  $('reply-body').addEventListener('input', function () {
    var now = Date.now();
    if (!state.liveChat || !state.selected || now - (state.typingAt || 0) < 3000) { return; }
    state.typingAt = now;
    call('POST', '/api/v1/tickets/' + encodeURIComponent(state.selected) + '/typing', { on: true });
  });

  async function loadTicket(id) {
    var res = await call('GET', '/api/v1/tickets/' + encodeURIComponent(id));
    if (state.selected !== id) { return false; } // another ticket was opened meanwhile
    if (!res.ok) {
      if (res.status !== 401) { T.setText('ticket-live', T.errorMessage(res)); }
      return false;
    }
    renderTicket(res.data);
    return true;
  }

  async function openTicket(id, focus) {
    state.selected = id;
    state.ticketSig = '';
    T.setText('ticket-live', '');
    T.clearFieldErrors($('reply-form'));
    renderList();
    $('ticket-placeholder').hidden = true;
    var detail = $('ticket-detail');
    detail.hidden = false;
    grid.classList.add('show-ticket');
    if (location.hash !== '#ticket-' + id) { history.replaceState(null, '', '#ticket-' + id); }
    if (await loadTicket(id) && focus) { detail.focus(); }
  }

  $('back-btn').addEventListener('click', function () {
    grid.classList.remove('show-ticket');
    var btn = list.querySelector('[aria-current="true"]');
    if (btn) { btn.focus(); }
  });

  $('reply-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var id = state.selected;
    if (!id) { return; }
    T.clearFieldErrors($('reply-form'));
    var body = $('reply-body').value.trim();
    if (!body) {
      T.setFieldError('reply-body', t('validation.body_required'));
      $('reply-body').focus();
      return;
    }
    T.busy($('reply-btn'), true, t('complaint.sending'));
    // Channel parts may add to the reply (whatsapp.js: quick reply buttons).
    var reply = { body: body };
    document.dispatchEvent(new CustomEvent('tanggap:reply', { detail: reply }));
    var res = await call('POST', '/api/v1/tickets/' + encodeURIComponent(id) + '/messages', reply);
    T.busy($('reply-btn'), false);
    if (res.ok) {
      $('reply-body').value = '';
      document.dispatchEvent(new CustomEvent('tanggap:replied'));
      T.setText('ticket-live', t('console.reply_sent'));
      await loadTicket(id);
      refreshList();
      return;
    }
    if (res.status === 401) { return; }
    var fields = T.fieldErrors(res);
    var problem = fields.body || fields.buttons;
    T.setFieldError('reply-body', problem ? String(problem) : T.errorMessage(res));
    $('reply-body').focus();
  });

  $('status-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var id = state.selected;
    if (!id) { return; }
    var res = await call('PATCH', '/api/v1/tickets/' + encodeURIComponent(id), { status: $('t-status-select').value });
    if (res.ok) {
      T.setText('ticket-live', t('console.status_updated'));
      await loadTicket(id);
      refreshList();
    } else if (res.status !== 401) {
      T.setText('ticket-live', T.errorMessage(res));
    }
  });

  $('callback-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var id = state.selected;
    if (!id) { return; }
    T.busy($('callback-btn'), true, t('console.call_back_started'));
    var res = await call('POST', '/api/v1/tickets/' + encodeURIComponent(id) + '/callback', { to: $('callback-to').value.trim() });
    T.busy($('callback-btn'), false);
    if (res.ok) {
      T.setText('ticket-live', t('console.call_back_started'));
    } else if (res.status !== 401) {
      T.setText('ticket-live', T.errorMessage(res));
    }
  });

  // ---- refresh loop ----

  function startRefresh() {
    stopRefresh();
    state.timer = setInterval(function () {
      if (document.hidden || !state.agent) { return; }
      refreshList();
      if (state.selected) { loadTicket(state.selected); }
    }, REFRESH_MS);
  }

  function stopRefresh() {
    if (state.timer) { clearInterval(state.timer); state.timer = null; }
  }

  (async function start() {
    var res = await T.api('GET', '/api/v1/auth/me');
    if (res.ok && res.data) {
      showConsole(res.data.agent || res.data);
      return;
    }
    showLogin('');
  })();
})();
