// The contact panel in the details pane: the citizen across channels.
// Tickets stay one per channel conversation; this panel lists every ticket
// of the open ticket's contact that the agent may open (newest first, each
// opens with Enter or a click), says how many others exist, shows the
// identities as the server masked them, the notes on the contact (with a
// form to add one) and, for supervisors and admins, probable duplicates
// with "merge into this contact" (confirmed in place) and the merges made,
// each undoable by a split.
//
// Store keys (see store.js): contact {id, panel, error, loading} for the
// open ticket's contact; contactDups {id, list, error} for supervisors.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, label, setText, formatDate, busy, errorMessage, keepFocus } from './ui.js';
import { openTicket } from './actions.js';
import { keepPerTicket, done } from './ticketfields.js';

// pending is the duplicate waiting for the merge confirmation (contact id) or 0.
let pending = 0;

async function load(id) {
  if (!id) { store.set({ contact: { id: 0, panel: null, error: '', loading: false }, contactDups: { id: 0, list: [], error: '' } }); return; }
  store.set({ contact: { id, panel: store.get().contact.id === id ? store.get().contact.panel : null, error: '', loading: true } });
  const res = await api.getContact(id);
  if (store.get().contact.id !== id) { return; }
  if (!res.ok) {
    store.set({ contact: { id, panel: null, error: errorMessage(res), loading: false } });
    return;
  }
  store.set({ contact: { id, panel: res.data, error: '', loading: false } });
  if (res.data.can_merge) { loadDuplicates(res.data.id); } else { store.set({ contactDups: { id: 0, list: [], error: '' } }); }
}

async function loadDuplicates(id) {
  const res = await api.contactDuplicates(id);
  const p = store.get().contact.panel;
  if (!p || p.id !== id) { return; }
  store.set({ contactDups: res.ok
    ? { id, list: (res.data && res.data.duplicates) || [], error: '' }
    : { id, list: [], error: errorMessage(res) } });
}

function reload() {
  const c = store.get().contact;
  if (c.id) { load(c.id); }
}

function ticketItem(tk, openId) {
  const current = tk.id === openId;
  const when = t('contact.opened_at', { at: formatDate(tk.created_at) });
  const btn = el('button', {
    type: 'button', class: 'contact-ticket', 'data-ticket': String(tk.id),
    'aria-current': current ? 'true' : null,
  }, [
    el('span', { class: 'contact-ticket-main', text: label('channel.', tk.channel) + ' · ' + label('ticket_status.', tk.status) }),
    el('span', { class: 'mono contact-ticket-tn', text: tk.tracking_number }),
    tk.subject ? el('span', { class: 'contact-ticket-sub', text: tk.subject }) : null,
    el('span', { class: 'contact-ticket-when' }, [tk.queue ? tk.queue + ' · ' : '', el('time', { datetime: tk.created_at, text: when })]),
    current ? el('span', { class: 'badge', text: t('contact.this_ticket') }) : null,
  ]);
  return el('li', null, [btn]);
}

function render(s) {
  const box = $('contact-panel');
  const c = s.contact;
  const jump = $('contact-jump');
  // Shown from the moment the contact is known, with "…" for the count
  // until it is read (the same words, so the same lines): appearing only
  // then pushed the ticket's actions below it down under the pointer.
  jump.hidden = !s.selectedId || !c.id;
  jump.textContent = t('contact.jump', { n: c.panel ? (c.panel.tickets || []).length + (c.panel.hidden_tickets || 0) : '…' });
  jump.setAttribute('aria-busy', String(!c.panel));
  if (!s.selectedId || !c.id) { box.hidden = true; return; }
  box.hidden = false;
  setText('contact-error', c.error);
  $('contact-error').hidden = !c.error;
  const p = c.panel;
  $('contact-body').hidden = !p;
  if (!p) { setText('contact-loading', c.loading ? t('common.loading') : ''); return; }
  setText('contact-loading', '');
  setText('contact-name', p.name || t('contact.no_name'));
  // The number a personal-data request names (privacy.contact_hint).
  setText('contact-number', t('contact.number', { id: p.id }));
  const followed = $('contact-followed');
  followed.hidden = !p.requested_id;
  if (p.requested_id) { followed.textContent = t('contact.followed', { from: p.requested_id, to: p.id }); }

  const ids = $('contact-identities');
  ids.textContent = '';
  (p.identities || []).forEach((i) => {
    ids.appendChild(el('li', null, [
      // A complaint form's anonymous or confidential sender is a visitor
      // identity of its own: named for what it is, not as a chat visitor.
      el('span', { class: 'contact-kind', text: i.origin ? label('contact.origin_', i.origin) : label('contact.kind_', i.kind) }), ' ',
      el('span', { class: 'mono', text: i.value }),
      i.masked ? el('span', { class: 'contact-masked', text: ' ' + t('contact.masked') }) : null,
    ]));
  });
  if (!(p.identities || []).length) { ids.appendChild(el('li', { text: t('contact.no_identities') })); }

  const list = $('contact-tickets');
  list.textContent = '';
  (p.tickets || []).forEach((tk) => list.appendChild(ticketItem(tk, s.selectedId)));
  setText('contact-tickets-title', t('contact.tickets_title', { n: (p.tickets || []).length }));
  const hidden = $('contact-hidden');
  hidden.hidden = !p.hidden_tickets;
  if (p.hidden_tickets) { hidden.textContent = t('contact.hidden_tickets', { n: p.hidden_tickets }); }
  $('contact-truncated').hidden = !p.truncated;

  const notes = $('contact-notes');
  notes.textContent = '';
  (p.notes || []).forEach((n) => {
    notes.appendChild(el('li', null, [
      el('p', { class: 'contact-note-body', text: n.body }),
      el('p', { class: 'contact-note-meta', text: t('contact.note_by', { name: n.agent_name, at: formatDate(n.created_at) }) }),
    ]));
  });
  if (!(p.notes || []).length) { notes.appendChild(el('li', { class: 'muted', text: t('contact.no_notes') })); }

  renderDuplicates(s);
  renderMerges(p);
}

function renderDuplicates(s) {
  const p = s.contact.panel;
  const block = $('contact-dups-block');
  block.hidden = !p || !p.can_merge;
  if (block.hidden) { return; }
  const d = s.contactDups;
  const ul = $('contact-dups');
  ul.textContent = '';
  setText('contact-dups-error', d.id === p.id ? d.error : '');
  const list = d.id === p.id ? d.list : [];
  if (!list.length) { ul.appendChild(el('li', { class: 'muted', text: t('contact.no_duplicates') })); }
  list.forEach((dup) => {
    const reasons = dup.reasons.map((r) => {
      const args = { kind: label('contact.kind_', r.kind), value: r.value };
      return r.how === 'reported' ? t('contact.reason_reported', args) : t('contact.reason_same_identity', args);
    }).join('; ');
    const item = el('li', { 'data-contact': String(dup.contact_id) }, [
      el('p', { class: 'contact-dup-name', text: t('contact.duplicate_name', { name: dup.name || t('contact.no_name'), id: dup.contact_id }) }),
      el('p', { class: 'contact-dup-why', text: reasons }),
    ]);
    if (pending === dup.contact_id) {
      item.appendChild(el('p', { class: 'contact-confirm-text', id: 'contact-confirm-text', text: t('contact.merge_confirm', { id: dup.contact_id }) }));
      item.appendChild(el('div', { class: 'contact-actions' }, [
        el('button', { type: 'button', class: 'btn btn-primary btn-small', 'data-merge-yes': String(dup.contact_id), 'aria-describedby': 'contact-confirm-text', text: t('contact.merge_yes') }),
        el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-merge-no': '1', text: t('contact.cancel') }),
      ]));
    } else {
      item.appendChild(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-merge': String(dup.contact_id),
        text: t('contact.merge_button', { id: dup.contact_id }) }));
    }
    ul.appendChild(item);
  });
}

function renderMerges(p) {
  const block = $('contact-merges-block');
  const merges = p.merges || [];
  block.hidden = !merges.length;
  const ul = $('contact-merges');
  ul.textContent = '';
  merges.forEach((m) => {
    const what = t('contact.merge_moved', { tickets: m.ticket_ids.length, identities: m.identity_ids.length, notes: m.note_ids.length });
    const head = m.into_id === p.id
      ? t('contact.merge_from', { from: m.from_id, name: m.agent_name, at: formatDate(m.created_at) })
      : t('contact.merge_into', { into: m.into_id, name: m.agent_name, at: formatDate(m.created_at) });
    const item = el('li', { 'data-merge-id': String(m.id) }, [el('p', { text: head }), el('p', { class: 'muted', text: what })]);
    if (m.undone_at) {
      item.appendChild(el('p', { class: 'contact-undone', text: t('contact.split_done', { name: m.undone_by_name, at: formatDate(m.undone_at) }) }));
    } else if (p.can_merge) {
      item.appendChild(el('button', { type: 'button', class: 'btn btn-secondary btn-small', 'data-split': String(m.id),
        text: t('contact.split_button', { from: m.from_id }) }));
    }
    ul.appendChild(item);
  });
}

async function merge(fromId, btn) {
  const p = store.get().contact.panel;
  if (!p) { return; }
  busy(btn, true, t('common.loading'));
  const res = await api.mergeContacts(p.id, fromId);
  busy(btn, false);
  pending = 0;
  setText('contact-live', res.ok
    ? t('contact.merged', { from: fromId, tickets: res.data.ticket_ids.length })
    : errorMessage(res));
  await load(p.id);
  $('contact-title').focus();
}

async function split(mergeId, btn) {
  const p = store.get().contact.panel;
  if (!p) { return; }
  busy(btn, true, t('common.loading'));
  const res = await api.undoMerge(mergeId);
  busy(btn, false);
  setText('contact-live', res.ok ? t('contact.split', { from: res.data.from_id }) : errorMessage(res));
  await load(p.id);
  $('contact-title').focus();
}

// showsOpenTicket: the panel shown is the open ticket's contact (while
// another ticket is being read it may still be the last one's).
function showsOpenTicket(s) {
  const tk = s.ticket;
  const p = s.contact.panel;
  return !!tk && !!p && tk.id === s.selectedId && (p.id === tk.contact_id || p.requested_id === tk.contact_id);
}

export function mount() {
  // A note begun on a citizen stays with the ticket it was typed on: it
  // never shows, nor is saved, on the next ticket's citizen. What was said
  // of the last save (or merge) does not hold there either.
  keepPerTicket('contact-note');
  store.on(['selectedId'], () => {
    setText('contact-live', '');
    setText('contact-note-error', '');
    $('contact-note').removeAttribute('aria-invalid');
  });
  // The open ticket names its contact: read the panel when that changes
  // (another ticket, or the same ticket after a merge moved it).
  store.on(['ticket', 'selectedId'], (s) => {
    if (!s.selectedId) { if (s.contact.id) { load(0); } return; }
    const tk = s.ticket;
    if (!tk || tk.id !== s.selectedId) { return; }
    const p = s.contact.panel;
    const shown = p && (p.id === tk.contact_id || p.requested_id === tk.contact_id);
    if (!shown && s.contact.id !== tk.contact_id) { pending = 0; load(tk.contact_id); return; }
    // The open ticket's own line follows it (a reply, a solve, a move)
    // without another read of the whole history.
    const line = shown && (p.tickets || []).find((x) => x.id === tk.id);
    if (line && (line.status !== tk.status || (tk.queue && line.queue !== tk.queue))) {
      const tickets = p.tickets.map((x) => (x.id === tk.id ? Object.assign({}, x, { status: tk.status, queue: tk.queue || x.queue }) : x));
      store.set({ contact: Object.assign({}, s.contact, { panel: Object.assign({}, p, { tickets }) }) });
    }
  });
  // Drawn again as the open ticket changes (its line follows its status):
  // the focus on a line or a button of the panel stays on it.
  store.on(['contact', 'contactDups', 'selectedId'], (s) => keepFocus($('contact-panel'), () => render(s), 'contact-title'));

  // The panel sits below the ticket's own facts and actions: one button
  // takes the agent (and the keyboard focus) there.
  $('contact-jump').addEventListener('click', () => {
    $('contact-panel').scrollIntoView({ block: 'start' });
    $('contact-title').focus();
  });
  $('contact-tickets').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-ticket]');
    if (!b) { return; }
    const id = Number(b.getAttribute('data-ticket'));
    if (id === store.get().selectedId) { return; }
    store.set({ focusThread: id });
    location.hash = '#ticket-' + id;
    openTicket(id);
  });
  $('contact-dups').addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (!b) { return; }
    if (b.hasAttribute('data-merge')) {
      pending = Number(b.getAttribute('data-merge'));
      render(store.get());
      const yes = document.querySelector('button[data-merge-yes]');
      if (yes) { yes.focus(); }
    } else if (b.hasAttribute('data-merge-no')) {
      const id = pending;
      pending = 0;
      render(store.get());
      const again = document.querySelector('button[data-merge="' + id + '"]');
      if (again) { again.focus(); }
    } else if (b.hasAttribute('data-merge-yes')) {
      merge(Number(b.getAttribute('data-merge-yes')), b);
    }
  });
  $('contact-merges').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-split]');
    if (b) { split(Number(b.getAttribute('data-split')), b); }
  });
  $('contact-note-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const s = store.get();
    const p = s.contact.panel;
    const id = s.selectedId;
    const field = $('contact-note');
    const body = field.value.trim();
    setText('contact-note-error', '');
    field.removeAttribute('aria-invalid');
    if (!p || !showsOpenTicket(s)) { return; }
    if (!body) {
      setText('contact-note-error', t('contact.note_empty'));
      field.setAttribute('aria-invalid', 'true');
      field.focus();
      return;
    }
    busy($('contact-note-btn'), true, t('common.loading'));
    const res = await api.addContactNote(p.id, body);
    busy($('contact-note-btn'), false);
    if (res.ok) {
      done(id, 'contact-note');
      if (store.get().selectedId !== id) { return; }
      setText('contact-live', t('contact.note_saved'));
      reload();
    } else if (store.get().selectedId === id) {
      const msg = (res.data && res.data.error && res.data.error.fields && res.data.error.fields.body) || errorMessage(res);
      setText('contact-note-error', msg);
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  });
}
