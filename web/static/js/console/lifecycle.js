// Complaint lifecycle of the open ticket (details panel): kind, stage,
// each running clock in working days, the steps so far, and the actions
// open to the signed-in agent (verifier: verify, ask to complete, not our
// authority, archive, dispose; unit: answer; reviewer: return, publish;
// supervisors with the permission: reveal a confidential identity, with a
// reason that is audited).
//
// The panel reads itself again when a complaint.updated event names the
// open ticket. Supervisors and admins also get, on the board, the list of
// complaints escalated at the 60-working-day ceiling, read again on each
// complaint.escalated / complaint.warning event (live.js).
//
// A ticket not in the lifecycle (a complaint that came by WhatsApp, live
// chat or phone) gets a "treat as complaint" box instead, for agents with
// the complaints.adopt permission: kind and category, and it enters the
// lifecycle from its received time. The ticket's detail says which it is
// (lifecycle: true or false; absent when the lifecycle is off), so the
// panel is asked for only when there is one.
//
// Store keys (see store.js): complaint {id, view, error, revealed, adoptable};
// escalated {list, error, announce}.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, label, el, formatDate, formatDeadline, errorMessage, fieldErrors, busy, redrawn, number } from './ui.js';
import { can, showTicket, latestRead } from './actions.js';

const panel = $('lifecycle-mount');
// The panel holds content, drawn again on each change, and live, which says
// an action's outcome: drawn once and kept, so the outcome is read out
// (a status region drawn afresh with its text seldom is).
const content = el('div', { id: 'lc-content' });
const live = el('p', { 'class': 'form-status', id: 'lc-live', role: 'status', 'aria-live': 'polite' });
if (panel) { panel.append(content, live); }

// Which fields each action asks for.
const FIELDS = {
  set_kind: ['kind'], verify: [], ask_complete: ['missing'], not_authority: ['agency', 'note'],
  archive: ['reason', 'note'], dispose: ['unit', 'instructions', 'due_days'], answer: ['answer'],
  return: ['note'], publish: ['answer'],
};

// asks counts what was asked of the server, reads and actions alike: an
// answer is applied only if nothing was asked after it, so neither a read
// nor an action sent earlier overwrites what a later one brought. An
// action's answer that came too late is replaced by a fresh read (the
// action is committed by then, so the read sees it).
let asks = 0;
// inFlight counts actions on their way; the panel says aria-busy meanwhile.
let inFlight = 0;

async function load(id) {
  const mine = ++asks;
  const res = await api.getComplaint(id);
  if (store.get().selectedId !== id || mine !== asks) { return; }
  if (res.ok && res.data) {
    store.set({ complaint: { id, view: res.data, error: '', revealed: null } });
  } else if (res.status === 404) {
    notInLifecycle(id);
  } else {
    store.set({ complaint: { id, view: null, error: errorMessage(res), revealed: null, adoptable: false } });
  }
}

// notInLifecycle: the panel offers to treat the ticket as a complaint, to
// those whose role may (complaints.adopt); to others it stays hidden.
function notInLifecycle(id) {
  const adoptable = can(store.get().agent, 'complaints.adopt');
  store.set({ complaint: { id, view: null, error: '', revealed: null, adoptable } });
  if (adoptable && !categories) { loadCategories(); }
}

// categories are the complaint categories (the form's), read once.
let categories = null;

async function loadCategories() {
  categories = [];
  const res = await api.complaintCategories();
  if (res.ok && Array.isArray(res.data)) {
    categories = res.data;
    const c = store.get().complaint;
    if (c && c.adoptable) { store.set({ complaint: Object.assign({}, c) }); }
  }
}

// renderAdopt offers to bring a ticket of any channel (WhatsApp, live
// chat, phone) into the lifecycle: a kind and a category; its clocks run
// from the ticket's received time.
function renderAdopt(c) {
  const kinds = ['pengaduan', 'aspirasi', 'informasi'];
  const kind = el('select', { id: 'lc-adopt-kind', 'aria-describedby': 'lc-adopt-kind-error' },
    kinds.map((k) => el('option', { value: k, text: label('lifecycle.kind.', k) })));
  const tk = store.get().ticket;
  const cat = el('select', { id: 'lc-adopt-category', 'aria-describedby': 'lc-adopt-category-error' },
    [el('option', { value: '', text: t('lifecycle.adopt.category_ticket') })]
      .concat((categories || []).map((x) => el('option', { value: x.code, text: x.label, selected: tk && tk.category === x.code ? 'selected' : null }))));
  // A refusal names its reason under the field it is about (in the error
  // colour, with a sign, and read out), the rest in the status line.
  const fieldError = (id) => el('p', { 'class': 'field-error', id: id + '-error', role: 'alert', hidden: 'hidden' });
  const status = el('p', { 'class': 'form-status', id: 'lc-adopt-status', role: 'status', 'aria-live': 'polite' });
  const btn = el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', id: 'lc-adopt', text: t('lifecycle.adopt.submit') });
  const form = el('form', { id: 'lc-adopt-form', novalidate: 'novalidate' }, [
    el('p', { 'class': 'hint', text: t('lifecycle.adopt.hint') }),
    el('div', { 'class': 'field' }, [el('label', { 'for': 'lc-adopt-kind', text: t('lifecycle.console.kind') }), kind, fieldError('lc-adopt-kind')]),
    el('div', { 'class': 'field' }, [el('label', { 'for': 'lc-adopt-category', text: t('lifecycle.adopt.category') }), cat, fieldError('lc-adopt-category')]),
    btn, status,
  ]);
  const clear = () => {
    status.textContent = '';
    status.classList.remove('form-status-error');
    ['kind', 'category'].forEach((k) => { const e = $('lc-adopt-' + k + '-error'); e.textContent = ''; e.hidden = true; });
    [kind, cat].forEach((x) => x.removeAttribute('aria-invalid'));
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear();
    busy(btn, true);
    const mine = ++asks;
    const res = await api.adoptComplaint(c.id, kind.value, cat.value);
    busy(btn, false);
    if (res.ok && res.data) {
      if (mine !== asks) {
        // Something was asked after it: read the complaint again.
        if (store.get().selectedId === c.id) { load(c.id); }
        return;
      }
      dropDraft = true;
      // The box goes with its button: the focus goes to the panel's heading.
      redrawn(panel, () => store.set({ complaint: { id: c.id, view: res.data, error: '', revealed: null } }), [], '#lifecycle-title',
        live, t('lifecycle.adopt.done'));
      return;
    }
    const fe = fieldErrors(res);
    let placed = false;
    Object.keys(fe).forEach((k) => {
      const e = $('lc-adopt-' + k + '-error');
      if (!e) { return; }
      e.textContent = '⚠ ' + String(fe[k]);
      e.hidden = false;
      ({ kind, category: cat })[k].setAttribute('aria-invalid', 'true');
      placed = true;
    });
    if (!placed) {
      status.textContent = '⚠ ' + errorMessage(res);
      status.classList.add('form-status-error');
    }
  });
  content.appendChild(el('details', { id: 'lc-adopt-box' }, [el('summary', { text: t('lifecycle.adopt.title') }), form]));
}

// clockText says a clock's due time as the citizen's status page does (a
// deadline at midnight is the end of the day before), so an officer on the
// phone names the same day the citizen reads.
function clockText(c) {
  const n = number(Math.abs(c.days_left), 1);
  if (c.paused) { return t('lifecycle.clock.paused', { n }); }
  const rel = c.overdue ? t('lifecycle.clock.overdue', { n }) : t('lifecycle.clock.days_left', { n });
  return rel + ' · ' + t('lifecycle.clock.due', { at: formatDeadline(c.due_at) });
}

function field(name, v) {
  const id = 'lc-' + name;
  let input;
  switch (name) {
    case 'kind':
      input = el('select', { id }, (v.kinds || []).map((k) => el('option', { value: k, text: label('lifecycle.kind.', k), selected: k === v.kind ? 'selected' : null })));
      break;
    case 'unit':
      input = el('select', { id }, (v.units || []).map((u) => el('option', { value: u.code, text: u.name })));
      break;
    case 'reason':
      input = el('select', { id }, ['spam', 'duplicate', 'other'].map((r) => el('option', { value: r, text: label('lifecycle.console.reason.', r) })));
      break;
    case 'due_days':
      input = el('input', { id, type: 'number', min: '1', max: '60', inputmode: 'numeric' });
      break;
    case 'agency':
      input = el('input', { id, type: 'text', maxlength: '200' });
      break;
    default:
      input = el('textarea', { id, rows: '3' });
      if (name === 'answer' && v.answer) { input.value = v.answer; }
  }
  input.setAttribute('aria-describedby', id + '-error');
  const key = { missing: 'lifecycle.console.missing', instructions: 'lifecycle.console.instructions', due_days: 'lifecycle.console.due_days',
    agency: 'lifecycle.console.agency', reason: 'lifecycle.console.reason', unit: 'lifecycle.console.unit', kind: 'lifecycle.console.kind',
    answer: 'lifecycle.console.answer', note: 'lifecycle.console.note' }[name];
  return el('div', { 'class': 'field', 'data-field': name }, [
    el('label', { 'for': id, text: t(key) }), input, el('p', { 'class': 'field-error', id: id + '-error', hidden: 'hidden' }),
  ]);
}

function body(action) {
  const get = (n) => { const e = $('lc-' + n); return e ? e.value.trim() : ''; };
  switch (action) {
    case 'set_kind': return { kind: get('kind') };
    case 'ask_complete': return { note: get('missing') };
    case 'not_authority': return { agency: get('agency'), note: get('note') };
    case 'archive': return { reason: get('reason'), note: get('note') };
    case 'dispose': return { unit: get('unit'), note: get('instructions'), due_days: parseInt(get('due_days'), 10) || 0 };
    case 'answer': case 'publish': return { answer: get('answer') };
    case 'return': return { note: get('note') };
  }
  return {};
}

// The panel is drawn again whenever the complaint changes, also by a pushed
// event while an agent is filling in an action: what they chose and typed
// is kept (draft), unless their own action just went through.
let dropDraft = false;

function draft(ticketID) {
  const sel = $('lc-action');
  if (!sel || panel.dataset.ticket !== String(ticketID)) { return null; }
  const values = {};
  panel.querySelectorAll('#lc-fields [id], #lc-reveal-reason').forEach((e) => { if ('value' in e) { values[e.id] = e.value; } });
  const active = document.activeElement;
  return { action: sel.value, values, focus: active && panel.contains(active) ? active.id : '' };
}

function restore(kept) {
  if (!kept) { return; }
  Object.keys(kept.values).forEach((id) => { const e = $(id); if (e) { e.value = kept.values[id]; } });
  const f = kept.focus && $(kept.focus);
  if (f) { f.focus(); }
}

function render(s) {
  const c = s.complaint;
  if (!panel) { return; }
  if (!c || c.id !== s.selectedId || (!c.view && !c.error && !c.adoptable)) {
    panel.hidden = true; content.textContent = ''; live.textContent = ''; delete panel.dataset.ticket; return;
  }
  const kept = dropDraft ? null : draft(c.id);
  dropDraft = false;
  if (panel.dataset.ticket !== String(c.id)) { live.textContent = ''; }
  panel.hidden = false;
  content.textContent = '';
  panel.dataset.ticket = String(c.id);
  content.appendChild(el('h3', { id: 'lifecycle-title', 'class': 'routing-title', tabindex: '-1', text: t('lifecycle.console.title') }));
  if (!c.view && c.adoptable) { renderAdopt(c); return; }
  if (!c.view) { content.appendChild(el('p', { 'class': 'alert alert-error', role: 'alert', text: c.error })); return; }
  const v = c.view;
  const badges = [];
  if (v.anonymous) { badges.push(el('span', { 'class': 'badge', id: 'lc-anonymous', text: t('lifecycle.console.anonymous') })); }
  if (v.confidential) { badges.push(el('span', { 'class': 'badge', id: 'lc-confidential', text: t('lifecycle.console.confidential') })); }
  if (v.escalated) { badges.push(el('span', { 'class': 'badge badge-urgent', text: t('lifecycle.console.escalated') })); }
  content.appendChild(el('dl', { 'class': 'facts' }, [
    el('div', null, [el('dt', { text: t('lifecycle.console.kind') }), el('dd', { id: 'lc-kind-shown', text: label('lifecycle.kind.', v.kind) })]),
    el('div', null, [el('dt', { text: t('lifecycle.console.stage') }), el('dd', { id: 'lc-stage', 'data-stage': v.stage, text: label('lifecycle.stage.', v.stage) })]),
    v.unit_name ? el('div', null, [el('dt', { text: t('lifecycle.console.unit') }), el('dd', { text: v.unit_name })]) : null,
    v.reopen_count ? el('div', null, [el('dt', { text: '' }), el('dd', { text: t('lifecycle.console.reopens', { n: v.reopen_count }) })]) : null,
  ]));
  if (badges.length) { content.appendChild(el('p', null, badges)); }
  if (v.clocks && v.clocks.length) {
    content.appendChild(el('h4', { text: t('lifecycle.console.clocks') }));
    // Overdue says so in words, not only by colour.
    content.appendChild(el('ul', { 'class': 'lc-clocks', id: 'lc-clocks' }, v.clocks.map((ck) => el('li', {
      'class': ck.overdue ? 'overdue' : '', 'data-clock': ck.name, 'data-due': ck.due_at || '',
    }, [el('strong', { text: label('lifecycle.clock.', ck.name) + ': ' }), clockText(ck)]))));
  }
  if (v.instructions) { content.appendChild(el('p', null, [el('strong', { text: t('lifecycle.console.instructions') + ': ' }), v.instructions])); }
  if (v.answer && v.stage === 'answered') { content.appendChild(el('p', null, [el('strong', { text: t('lifecycle.console.answer') + ': ' }), v.answer])); }
  content.appendChild(el('ol', { 'class': 'lc-steps', id: 'lc-steps' }, (v.steps || []).map((st) => el('li', { 'data-step': st.step }, [
    el('time', { datetime: st.at, text: formatDate(st.at) }), ' ', label('lifecycle.step.', st.step),
    st.public_note ? ' — ' + st.public_note : '',
  ]))));
  if (v.actions && v.actions.length) {
    const sel = el('select', { id: 'lc-action' }, v.actions.map((a) => el('option', { value: a, text: label('lifecycle.action.', a) })));
    const fields = el('div', { id: 'lc-fields' });
    const showFields = () => { fields.textContent = ''; (FIELDS[sel.value] || []).forEach((f) => fields.appendChild(field(f, v))); };
    sel.addEventListener('change', showFields);
    const status = el('p', { 'class': 'form-status', id: 'lc-status', role: 'status', 'aria-live': 'polite' });
    const btn = el('button', { type: 'submit', 'class': 'btn btn-primary btn-small', id: 'lc-submit', text: t('lifecycle.console.apply') });
    const form = el('form', { id: 'lc-form', novalidate: 'novalidate' }, [
      el('label', { 'for': 'lc-action', text: t('lifecycle.console.action') }), sel, fields, btn, status,
    ]);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const action = sel.value;
      live.textContent = ''; // an outcome like the last one is said again
      status.textContent = ''; // and so is a refusal like the last one
      status.classList.remove('form-status-error');
      // The last try's field errors go: what is wrong now is said afresh.
      fields.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; e.hidden = true; });
      fields.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
      busy(btn, true);
      const mine = ++asks;
      inFlight++;
      panel.setAttribute('aria-busy', 'true');
      const res = await api.complaintAction(v.ticket_id, action, body(action));
      busy(btn, false);
      if (--inFlight === 0) { panel.removeAttribute('aria-busy'); }
      if (res.ok && res.data && mine !== asks) {
        // Something was asked after this action: its answer may be older
        // than what is shown, so the complaint is read again.
        if (store.get().selectedId === v.ticket_id) { load(v.ticket_id); }
        return;
      }
      if (res.ok && res.data) {
        dropDraft = true;
        // The form is drawn again for the next step: the focus goes to its
        // choice of action, else (none left) to the panel's heading.
        redrawn(panel, () => store.set({ complaint: { id: v.ticket_id, view: res.data, error: '', revealed: c.revealed } }), ['#lc-action'],
          '#lifecycle-title', live, t('lifecycle.console.done'));
        return;
      }
      const fe = fieldErrors(res);
      const map = { note: action === 'ask_complete' ? 'missing' : action === 'dispose' ? 'instructions' : 'note' };
      let placed = false;
      Object.keys(fe).forEach((k) => {
        const id = 'lc-' + (map[k] || k);
        const e = $(id + '-error');
        if (e) {
          e.textContent = String(fe[k]); e.hidden = false; placed = true;
          $(id).setAttribute('aria-invalid', 'true');
        }
      });
      // A refusal of the whole step (the ticket's channel is off here, the
      // complaint moved on) is said under the button, as an error in words
      // and sign, not in the colour of a success.
      if (!placed) {
        status.textContent = '⚠ ' + errorMessage(res);
        status.classList.add('form-status-error');
      }
    });
    content.appendChild(form);
    if (kept && v.actions.indexOf(kept.action) >= 0) { sel.value = kept.action; }
    showFields();
  }
  if (v.can_reveal) {
    const reason = el('input', { id: 'lc-reveal-reason', type: 'text', maxlength: '500', 'aria-describedby': 'lc-reveal-out' });
    const out = el('p', { id: 'lc-reveal-out', role: 'status', 'aria-live': 'polite' });
    if (c.revealed) {
      out.textContent = t('lifecycle.console.revealed', { name: c.revealed.name || '—', phone: c.revealed.phone || '—', email: c.revealed.email || '—' });
    }
    const btn = el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', id: 'lc-reveal', text: t('lifecycle.console.reveal') });
    const form = el('form', { id: 'lc-reveal-form', novalidate: 'novalidate' }, [
      el('label', { 'for': 'lc-reveal-reason', text: t('lifecycle.console.reveal_reason') }), reason, btn, out,
    ]);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const res = await api.revealIdentity(v.ticket_id, reason.value.trim());
      if (res.ok && res.data) {
        store.set({ complaint: Object.assign({}, store.get().complaint, { revealed: res.data }) });
      } else {
        $('lc-reveal-out').textContent = errorMessage(res);
      }
    });
    content.appendChild(form);
  }
  restore(kept);
}

const board = $('complaints-board');
const supervising = (s) => can(s.agent, 'complaints.supervise');

// Only the latest read of the escalations is shown (an earlier one
// answering last would take back one pushed in between); what a
// superseded read was to announce is said with the latest.
const readEscalated = latestRead(() => api.escalatedComplaints(), (res, carried) => {
  const prev = store.get().escalated || {};
  const said = carried.announce || prev.announce || '';
  if (res.ok && Array.isArray(res.data)) {
    store.set({ escalated: { list: res.data, error: '', announce: said } });
  } else {
    store.set({ escalated: { list: prev.list || [], error: errorMessage(res), announce: said } });
  }
});
const loadEscalated = (announce) => readEscalated(undefined, announce ? { announce } : null);

// applyEvent takes complaint.* events (live.js). They carry no identity.
export function applyEvent(name, d) {
  const s = store.get();
  const id = Number(d && d.ticket_id) || 0;
  if (!id) { return; }
  if (name === 'complaint.updated') {
    if (s.selectedId === id) { load(id); }
    return;
  }
  if (!supervising(s)) { return; }
  const key = name === 'complaint.escalated' ? 'lifecycle.board.announce_escalated' : 'lifecycle.board.announce_warning';
  loadEscalated(t(key, { tn: d.tracking_number || ('#' + id) }));
}

function renderEscalated(s) {
  if (!board) { return; }
  board.hidden = !supervising(s);
  if (board.hidden) { board.textContent = ''; return; }
  const e = s.escalated || {};
  const list = e.list || [];
  // Each row says "escalated" in words (and the badge), never by colour alone.
  const rows = list.map((x) => el('li', { 'data-ticket': x.ticket_id }, [
    el('span', { 'class': 'badge badge-urgent', text: t('lifecycle.console.escalated') }), ' ',
    el('a', { href: '#ticket-' + x.ticket_id, 'class': 'mono', 'data-lc-ticket': x.ticket_id, text: t('lifecycle.board.ticket', { id: x.ticket_id }) }),
    ' · ' + label('lifecycle.kind.', x.kind) + ' · ' + label('lifecycle.stage.', x.stage),
    x.unit_name ? ' · ' + x.unit_name : '',
    ' · ' + t('lifecycle.board.received', { at: formatDate(x.received_at) }),
    x.confidential ? el('span', { 'class': 'badge', text: t('lifecycle.console.confidential') }) : null,
  ]));
  board.replaceChildren(...[
    el('h3', { id: 'complaints-board-title', text: t('lifecycle.board.title') }),
    e.error ? el('p', { 'class': 'muted small', text: e.error }) : null,
    list.length ? el('ul', { id: 'complaints-escalated', 'class': 'lc-escalated' }, rows)
      : el('p', { 'class': 'muted small', id: 'complaints-escalated-none', text: t('lifecycle.board.none') }),
    el('p', { 'class': 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'complaints-announce', text: e.announce || '' }),
  ].filter(Boolean));
}

export function mount() {
  if (board) {
    // A row's link opens its ticket on the tickets tab, the focus in it.
    board.addEventListener('click', (ev) => {
      const a = ev.target.closest && ev.target.closest('a[data-lc-ticket]');
      if (a) { ev.preventDefault(); showTicket(Number(a.getAttribute('data-lc-ticket'))); }
    });
    store.on(['agentKey'], (s) => { if (supervising(s)) { loadEscalated(''); } });
    // An escalation pushed while the socket was away is read on the catch-up.
    store.on(['catchUp'], (s) => { if (supervising(s)) { loadEscalated(''); } });
    store.on(['escalated', 'agent'], renderEscalated);
  }
  if (!panel) { return; }
  let shown = 0;
  store.on(['ticket', 'selectedId'], (s) => {
    const tk = s.ticket;
    if (!tk || tk.id !== s.selectedId) { return; }
    // Read again when another ticket opens or this one changed.
    const key = tk.id + '|' + tk.updated_at + '|' + tk.queue_id + '|' + tk.status;
    if (shown === key || tk.lifecycle === undefined) { return; }
    shown = key;
    // Only a ticket in the lifecycle has a panel to read: its detail says
    // so, or the panel shows its complaint already (adopted since the
    // detail was read).
    const c = s.complaint;
    if (tk.lifecycle || (c && c.id === tk.id && c.view)) { load(tk.id); return; }
    ++asks; // a read on its way is older than this
    notInLifecycle(tk.id);
  });
  store.on(['complaint', 'selectedId'], render);
}
