// Console routing panel: the open ticket's SLA due times and place in the
// queue, and the agent's claim / give back / transfer actions. It works
// beside console.js without touching its state: the open ticket is the
// one named in the address (#ticket-<id>), re-read whenever the ticket
// view changes and every few seconds.
document.addEventListener('DOMContentLoaded', function () {
  'use strict';

  var T = window.Tanggap;
  if (!T) { return; }
  var t = T.t;
  var $ = function (id) { return document.getElementById(id); };
  var panel = $('routing-panel');
  if (!panel) { return; }
  var REFRESH_MS = 10000;
  var current = null;
  var agentsLoaded = false;

  function ticketID() {
    var m = /^#ticket-(\d+)$/.exec(location.hash || '');
    return m ? m[1] : null;
  }

  function base(id) { return '/api/v1/tickets/' + encodeURIComponent(id); }

  function setState(elID, state) {
    var el = $(elID);
    el.textContent = state ? T.label('sla_state.', state) : '';
    el.className = 'badge sla-' + String(state || 'none').replace(/[^a-z]/g, '');
    el.hidden = !state;
  }

  function setDue(elID, at) {
    var el = $(elID);
    if (at) {
      el.setAttribute('datetime', at);
      el.textContent = T.formatDate(at);
    } else {
      el.removeAttribute('datetime');
      el.textContent = t('routing.no_due');
    }
  }

  function render(r) {
    var s = r.sla || {};
    setDue('r-first-due', s.first_response_due_at);
    setState('r-first-state', s.first_response_state);
    // The next-response clock runs only while a citizen's message waits.
    $('r-next-row').hidden = !s.next_response_due_at;
    if (s.next_response_due_at) {
      setDue('r-next-due', s.next_response_due_at);
      setState('r-next-state', s.next_response_state);
    }
    setDue('r-resolution-due', s.resolution_due_at);
    setState('r-resolution-state', s.resolution_state);
    var waiting = !r.agent_id && r.position > 0;
    $('r-position-row').hidden = !waiting;
    if (waiting) {
      T.setText('r-position', t('routing.position_value', {
        position: r.position, minutes: Math.max(1, Math.round((r.estimated_wait_seconds || 0) / 60))
      }));
    }
    $('claim-btn').hidden = !!r.agent_id;
    $('release-btn').hidden = !r.agent_id;
    panel.hidden = false;
  }

  async function load() {
    var id = ticketID();
    if (!id) { panel.hidden = true; return; }
    var res = await T.api('GET', base(id) + '/routing');
    if (ticketID() !== id) { return; } // another ticket was opened meanwhile
    if (!res.ok || !res.data || !res.data.routing) { panel.hidden = true; return; }
    if (current !== id) { current = id; T.setText('routing-live', ''); }
    render(res.data.routing);
  }

  async function loadAgents() {
    if (agentsLoaded) { return; }
    agentsLoaded = true;
    var res = await T.api('GET', '/api/v1/agents');
    var sel = $('transfer-agent');
    if (!res.ok || !res.data || !Array.isArray(res.data.agents)) {
      // Agents may not list colleagues; transfer to a queue still works.
      sel.closest('.field-inline').hidden = true;
      return;
    }
    res.data.agents.forEach(function (a) {
      sel.appendChild(T.el('option', { value: String(a.id), text: (a.name || a.email) + ' · ' + T.label('presence.', a.presence) }));
    });
  }

  // act runs one routing action and re-reads the ticket on success.
  async function act(path, body, done) {
    var id = ticketID();
    if (!id) { return; }
    var res = await T.api('POST', base(id) + path, body);
    if (res.ok) {
      T.setText('routing-live', t(done));
      if (res.data && res.data.routing) { render(res.data.routing); }
      return true;
    }
    T.setText('routing-live', T.errorMessage(res));
    return false;
  }

  $('claim-btn').addEventListener('click', function () { act('/claim', undefined, 'routing.claimed'); });
  $('release-btn').addEventListener('click', function () {
    act('/release', { note: $('transfer-note').value.trim() }, 'routing.released');
  });
  $('transfer-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var agent = $('transfer-agent').value;
    var queue = $('transfer-queue').value.trim();
    if (!agent && !queue) {
      T.setText('routing-live', t('routing.transfer_target_required'));
      $('transfer-queue').focus();
      return;
    }
    var body = { note: $('transfer-note').value.trim() };
    if (agent) { body.agent_id = Number(agent); } else { body.queue = queue; }
    T.busy($('transfer-btn'), true, t('common.loading'));
    var ok = await act('/transfer', body, 'routing.transferred');
    T.busy($('transfer-btn'), false);
    if (ok) {
      $('transfer-note').value = '';
      $('transfer-queue').value = '';
      $('transfer-agent').value = '';
    }
  });

  // The ticket view changes when its tracking number does.
  new MutationObserver(function () { loadAgents(); load(); })
    .observe($('t-tn'), { childList: true, characterData: true, subtree: true });
  setInterval(function () {
    if (!document.hidden && !$('ticket-detail').hidden) { load(); }
  }, REFRESH_MS);
});
