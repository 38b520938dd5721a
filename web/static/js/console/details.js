// The open ticket's details panel: facts about the citizen and the ticket,
// the status (the select always shows the open ticket's own status; a
// complaint offers solved only once its follow-up is published and closed
// only at the end of its lifecycle, and says why), SLA
// clocks and place in the queue, and claim / give back / transfer. A
// solved or closed ticket shows no running clock and can be neither given
// back nor transferred; an agent gives back or transfers only their own. On narrow screens the panel opens with a button.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, label, setText, sayIn, formatDate, busy, errorMessage, cls, isFinished } from './ui.js';
import { loadTicket, loadRouting, loadList, loadTargets, mayBoard, movingTicket, leaveTicket } from './actions.js';
import { isOpen } from './socket.js';
import { keepPerTicket, done } from './ticketfields.js';
import { loadWrapup } from './tags.js';
import { readyFirst, agentOption } from './boardagents.js';

// The status the agent picked but did not save yet, for the ticket it was
// picked on. Another ticket, or a save, forgets it.
let draft = { id: 0, status: '' };

// forgetDraft drops the unsaved status (see thread.forgetDrafts).
export function forgetDraft() { draft = { id: 0, status: '' }; }

function renderFacts(s) {
  const tk = s.ticket;
  if (!tk || tk.id !== s.selectedId) {
    // The opened ticket is being read: no facts or status of the one
    // shown before (saving a status then would change the new ticket).
    ['t-contact-name', 't-contact-phone', 't-contact-email', 't-contact-nik', 't-channel', 't-category', 't-queue', 't-assignee']
      .forEach((id) => setText(id, ''));
    $('status-form').hidden = true;
    return;
  }
  const c = tk.contact || {};
  setText('t-contact-name', c.name || tk.contact_name || '—');
  setText('t-contact-phone', c.phone || '—');
  setText('t-contact-email', c.email || '—');
  setText('t-contact-nik', c.nik_masked || '—');
  setText('t-channel', label('channel.', tk.channel));
  setText('t-category', (tk.category && label('category.', tk.category)) || '—');
  setText('t-queue', tk.queue || '—');
  setText('t-assignee', tk.assignee_name || t('console.unassigned'));
  const sel = $('t-status-select');
  if (draft.id !== tk.id) { draft = { id: tk.id, status: '' }; }
  sel.value = draft.status || tk.status;
  // "Baru" can be shown but not chosen: a ticket becomes new only once.
  sel.querySelector('option[value="new"]').disabled = tk.status !== 'new';
  // A complaint is not solved before its follow-up is published, nor
  // closed before its lifecycle has ended: its panel's actions move it on,
  // and the server refuses otherwise. The reason is written beside the
  // control (until the panel is read, both options wait without one).
  const held = heldBy(s, tk);
  ['solved', 'closed'].forEach((st) => {
    sel.querySelector('option[value="' + st + '"]').disabled = !!held && held.statuses.indexOf(st) >= 0 && tk.status !== st;
  });
  if (sel.selectedOptions.length && sel.selectedOptions[0].disabled && sel.value !== tk.status) {
    draft = { id: tk.id, status: '' };
    sel.value = tk.status;
  }
  const note = $('status-held');
  note.textContent = held && held.stage ? label('lifecycle.held.', held.stage) : '';
  note.hidden = !note.textContent;
  $('status-form').hidden = false;
}

// heldBy is what the open ticket's complaint keeps its status from:
// {stage, statuses} (stage '' while its panel is being read), or null
// when nothing is held (not a complaint, or its lifecycle allows both).
function heldBy(s, tk) {
  const c = s.complaint;
  const mine = c && c.id === tk.id;
  // The panel read last wins over the detail (a ticket adopted since).
  if (mine && c.view) {
    const statuses = Array.isArray(c.view.held_statuses) ? c.view.held_statuses : [];
    return statuses.length ? { stage: c.view.stage, statuses } : null;
  }
  if (tk.lifecycle !== true || (mine && (c.error || 'adoptable' in c))) { return null; }
  return { stage: '', statuses: ['solved', 'closed'] };
}

function setState(id, state, finished) {
  const node = $(id);
  // A finished ticket's clocks are stopped whatever they said before.
  if (finished && (state === 'ok' || state === 'warning' || state === 'paused' || state === 'running')) { state = 'stopped'; }
  node.textContent = state ? label('sla_state.', state) : '';
  node.className = 'badge sla-' + cls(state || 'none');
  node.hidden = !state;
}

function setDue(id, at) {
  const node = $(id);
  if (at) {
    node.setAttribute('datetime', at);
    node.textContent = formatDate(at);
  } else {
    node.removeAttribute('datetime');
    node.textContent = t('routing.no_due');
  }
}

function renderRouting(s) {
  const r = s.routing;
  const panel = $('routing-panel');
  if (!r || !s.selectedId) { panel.hidden = true; return; }
  const status = s.ticket ? s.ticket.status : '';
  const finished = isFinished(status);
  const sla = r.sla || {};
  setDue('r-first-due', sla.first_response_due_at);
  setState('r-first-state', sla.first_response_state, finished);
  // The next-response clock runs only while a citizen's message waits.
  $('r-next-row').hidden = !sla.next_response_due_at || finished;
  if (sla.next_response_due_at) {
    setDue('r-next-due', sla.next_response_due_at);
    setState('r-next-state', sla.next_response_state, finished);
  }
  setDue('r-resolution-due', sla.resolution_due_at);
  setState('r-resolution-state', sla.resolution_state, finished);
  const waiting = !r.agent_id && r.position > 0 && !finished;
  $('r-position-row').hidden = !waiting;
  if (waiting) {
    // Outside business hours with nobody online the estimate counts from
    // the opening: say so, as the citizen is told.
    setText('r-position', r.closed && r.opens_at
      ? t('routing.queue_closed', { opens_at: formatDate(r.opens_at) })
      : t('routing.position_value', {
        position: r.position, minutes: Math.max(1, Math.round((r.estimated_wait_seconds || 0) / 60)),
      }));
  }
  // The assignee gives back or transfers a ticket; supervisors and
  // admins any ticket (the server refuses anyone else).
  const mayMove = mayBoard(s.agent) || (!!r.agent_id && !!s.agent && r.agent_id === s.agent.id);
  // An offline agent takes no ticket (the server refuses): switch first.
  $('claim-btn').hidden = !!r.agent_id || finished || !s.agent || s.agent.presence === 'offline';
  $('release-btn').hidden = !r.agent_id || finished || !mayMove;
  $('transfer-form').hidden = finished || !mayMove;
  $('routing-live').hidden = false;
  panel.hidden = false;
}

function renderTargets(s) {
  const tg = s.targets;
  const agentSel = $('transfer-agent');
  const queueSel = $('transfer-queue');
  const keepAgent = agentSel.value;
  const keepQueue = queueSel.value;
  agentSel.textContent = '';
  agentSel.appendChild(el('option', { value: '', text: '—' }));
  // Ready colleagues first; the presence is written out, never a colour
  // alone; an offline one is offered disabled, with why (boardagents.js).
  readyFirst(tg.agents).forEach((a) => {
    agentSel.appendChild(agentOption(String(a.id), a,
      t('console.transfer_agent_option', { name: a.name || '', presence: label('presence.', a.presence) })));
  });
  queueSel.textContent = '';
  queueSel.appendChild(el('option', { value: '', text: '—' }));
  tg.queues.forEach((q) => queueSel.appendChild(el('option', { value: q.code, text: q.name || q.code })));
  agentSel.value = keepAgent;
  queueSel.value = keepQueue;
  // Without the transfer-targets endpoint the queue is typed by its code.
  $('transfer-agent-field').hidden = !tg.available;
  $('transfer-queue-field').hidden = !tg.available;
  $('transfer-code-field').hidden = tg.available;
}

function renderOpen(s) {
  const pane = $('details-pane');
  pane.hidden = !s.selectedId;
  pane.classList.toggle('open', s.detailsOpen);
  $('details-btn').setAttribute('aria-expanded', s.detailsOpen ? 'true' : 'false');
  $('tickets-panel').classList.toggle('show-details', s.detailsOpen);
}

const shown = (n) => !!n && n.isConnected && n.getClientRects().length > 0;

// keepPlace: a routing action hides the control that was pressed (claim
// gives way to give back and the other way round; a transfer may hide its
// form): the focus, if it was there, goes to the one of claim and give
// back now shown, else to the panel's heading. routing-live says the outcome.
function keepPlace(from) {
  if (!from || !$('routing-panel').contains(from) || shown(from)) { return; }
  const a = document.activeElement;
  if (a && a !== from && a !== document.body) { return; }
  const to = [$('release-btn'), $('claim-btn')].find(shown);
  (to || $('routing-title')).focus();
}

// tell says the outcome of the agent's last action on the ticket in its
// line (status-live beside the status, routing-live under the routing
// actions), an error set apart as one, and empties the other line: an
// earlier success must not stand beside a later refusal as if current.
function tell(line, text, error) {
  sayIn(line, text, error);
  sayIn(line === 'status-live' ? 'routing-live' : 'status-live', '', false);
}

// act runs one routing action; on success the routing answer it returns
// is shown, and the ticket re-read for its assignee and thread. A move
// that put the ticket out of the agent's sight (a transfer to a queue
// not theirs) closes it instead, saying away(ticket) in the list.
async function act(path, fn, done, away) {
  const id = store.get().selectedId;
  if (!id) { return false; }
  const from = document.activeElement;
  const tk = store.get().ticket;
  if (away) { movingTicket(id, true); }
  let res;
  try {
    res = await fn(id);
  } finally {
    if (away) { movingTicket(id, false); }
  }
  if (store.get().selectedId !== id) { return false; }
  if (res.ok && away && res.data && res.data.routing && res.data.routing.visible === false) {
    leaveTicket(id, away(tk && tk.id === id ? tk : { tracking_number: '' }));
    return true;
  }
  if (res.ok) {
    tell('routing-live', t(done), false);
    if (res.data && res.data.routing) { store.set({ routing: res.data.routing }); } else { await loadRouting(id); }
    keepPlace(from);
    loadTicket(id);
    if (!isOpen()) { loadList(); }
    return true;
  }
  if (res.status !== 401) { tell('routing-live', errorMessage(res), true); }
  return false;
}

export function mount() {
  store.on(['ticket', 'selectedId', 'complaint'], renderFacts);
  store.on(['routing', 'ticket', 'selectedId', 'agent'], renderRouting);
  store.on(['targets'], renderTargets);
  store.on(['selectedId', 'detailsOpen'], renderOpen);
  store.on(['selectedId'], () => { setText('routing-live', ''); setText('status-live', ''); });
  // The transfer's note (also given with a give-back) and target were
  // meant for the ticket they were filled in on: they stay with it.
  keepPerTicket('transfer-note', 'transfer-agent', 'transfer-queue', 'transfer-queue-code');
  renderTargets(store.get());

  $('t-status-select').addEventListener('change', () => {
    draft = { id: store.get().selectedId, status: $('t-status-select').value };
  });
  $('status-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = store.get().selectedId;
    if (!id) { return; }
    const res = await api.setStatus(id, $('t-status-select').value);
    // The outcome is told beside the status, where the agent looks (and,
    // on a phone, the only part of the ticket on screen); a refusal is set
    // apart as one, and the select goes back to the stored status.
    if (res.ok) {
      draft = { id: 0, status: '' };
      tell('status-live', t('console.status_updated'), false);
      await loadTicket(id);
      loadRouting(id);
      if (!isOpen()) { loadList(); }
    } else if (res.status !== 401) {
      tell('status-live', errorMessage(res), true);
      draft = { id: 0, status: '' };
      const tk = store.get().ticket;
      if (tk && tk.id === id) { $('t-status-select').value = tk.status; }
      if (res.data && res.data.error && res.data.error.code === 'wrapup_required') {
        // The code is what is missing: the wrap-up panel is read again
        // (the queue's rule may be newer than what it shows) and takes
        // the focus, so the agent can choose one and solve again.
        await loadWrapup(id);
        const sel = $('wrapup-select');
        if (store.get().selectedId === id && sel && sel.getClientRects().length) { sel.focus(); }
      }
    }
  });

  $('claim-btn').addEventListener('click', () => act('/claim', api.claim, 'routing.claimed'));
  $('release-btn').addEventListener('click', () => act('/release', (id) => api.release(id, $('transfer-note').value.trim()), 'routing.released',
    (tk) => t('console.released_away', { tracking: tk.tracking_number })));
  $('transfer-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = store.get().selectedId;
    const tg = store.get().targets;
    const agent = tg.available ? $('transfer-agent').value : '';
    const queue = tg.available ? $('transfer-queue').value : $('transfer-queue-code').value.trim();
    if (!agent && !queue) {
      tell('routing-live', t('console.transfer_target_required'), true);
      (tg.available ? $('transfer-agent') : $('transfer-queue-code')).focus();
      return;
    }
    const body = { note: $('transfer-note').value.trim() };
    if (agent) { body.agent_id = Number(agent); } else { body.queue = queue; }
    // Where it went, by the name the agent chose it by.
    const to = agent ? tg.agents.find((a) => String(a.id) === agent) : tg.queues.find((q) => q.code === queue);
    const target = (to && to.name) || queue || agent;
    busy($('transfer-btn'), true, t('common.loading'));
    const ok = await act('/transfer', (id) => api.transfer(id, body), 'routing.transferred',
      (tk) => t('console.transferred_away', { tracking: tk.tracking_number, target }));
    busy($('transfer-btn'), false);
    if (ok) { done(id, 'transfer-note', 'transfer-queue-code', 'transfer-agent', 'transfer-queue'); }
  });
  // Picking a colleague clears the queue and the other way round: one target.
  $('transfer-agent').addEventListener('change', () => { if ($('transfer-agent').value) { $('transfer-queue').value = ''; } });
  $('transfer-queue').addEventListener('change', () => { if ($('transfer-queue').value) { $('transfer-agent').value = ''; } });
  $('transfer-agent').addEventListener('focus', () => loadTargets());

  $('details-btn').addEventListener('click', () => {
    const open = !store.get().detailsOpen;
    store.set({ detailsOpen: open });
    if (open) { $('details-title').focus(); }
  });
  $('details-close').addEventListener('click', () => {
    store.set({ detailsOpen: false });
    $('details-btn').focus();
  });
  $('details-pane').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && store.get().detailsOpen) {
      store.set({ detailsOpen: false });
      $('details-btn').focus();
    }
  });
}
