// Personal-data protection for admins (UU 27/2022): a citizen's
// data-subject requests (state, export, restrict, lift, erase), the view
// audit (who opened whose data, when) and the retention purge. A section of
// the queue board tab, shown to admins only; it reads its own data.
import * as store from './store.js';
import { can, showTicket } from './actions.js';
import { $, t, el, label, setText, errorMessage, request, formatDate, fieldErrors, setFieldError, clearFieldErrors } from './ui.js';

const root = $('privacy-mount');
let built = false;
let cursor = null; // the view audit's next page

const subjectURL = (id) => '/api/v1/admin/subjects/' + encodeURIComponent(id);

function contactID() {
  const v = $('privacy-contact').value.trim();
  return /^\d+$/.test(v) ? v : '';
}

function say(id, res, done) {
  $(id).classList.toggle('form-status-error', !res.ok);
  if (res.ok) { setText(id, done); return true; }
  setText(id, errorMessage(res));
  return false;
}

// showSubject reads the subject's state and requests; said is what was
// just done, kept in front of the state so neither hides the other.
async function showSubject(said) {
  const id = contactID();
  const out = $('privacy-requests');
  out.replaceChildren();
  if (!id) { setText('privacy-live', t('privacy.contact_invalid')); $('privacy-contact').focus(); return; }
  $('privacy-export').href = subjectURL(id) + '/export';
  $('privacy-export').hidden = false;
  const res = await request('GET', subjectURL(id));
  if (!say('privacy-live', res, '')) { $('privacy-export').hidden = true; return; }
  const d = res.data;
  const state = d.restricted ? t('privacy.state_restricted', { id }) : t('privacy.state_free', { id });
  setText('privacy-live', typeof said === 'string' && said ? said + ' ' + state : state);
  for (const r of d.requests || []) {
    out.append(el('li', null, [
      el('strong', { text: label('privacy.kind_', r.kind) }), ' ',
      el('span', { 'class': 'muted', text: formatDate(r.created_at) + ' · ' + t('privacy.by_agent', { id: r.agent_id }) }),
    ]));
  }
  if (!out.children.length) { out.append(el('li', { 'class': 'muted', text: t('privacy.no_requests') })); }
}

async function restrict(ev) {
  ev.preventDefault();
  const id = contactID();
  const reason = $('privacy-reason').value.trim();
  if (!id) { setText('privacy-live', t('privacy.contact_invalid')); $('privacy-contact').focus(); return; }
  if (!reason) { setText('privacy-live', t('privacy.reason_required')); $('privacy-reason').focus(); return; }
  const res = await request('POST', subjectURL(id) + '/restrict', { reason });
  if (say('privacy-live', res, t('privacy.restricted', { id }))) { $('privacy-reason').value = ''; showSubject(t('privacy.restricted', { id })); }
}

async function lift() {
  const id = contactID();
  if (!id) { setText('privacy-live', t('privacy.contact_invalid')); return; }
  const res = await request('DELETE', subjectURL(id) + '/restrict');
  if (say('privacy-live', res, t('privacy.lifted', { id }))) { showSubject(t('privacy.lifted', { id })); }
}

async function erase() {
  const id = contactID();
  if (!id) { setText('privacy-live', t('privacy.contact_invalid')); return; }
  if (!$('privacy-erase-confirm').checked) { setText('privacy-live', t('privacy.erase_confirm_needed')); $('privacy-erase-confirm').focus(); return; }
  const res = await request('POST', subjectURL(id) + '/erase');
  if (res.ok) {
    $('privacy-erase-confirm').checked = false;
    const done = t('privacy.erased', { id, messages: res.data.messages, files: res.data.files_deleted, identities: res.data.identities });
    setText('privacy-live', done);
    showSubject(done);
  } else {
    setText('privacy-live', errorMessage(res));
  }
}

async function loadViews(more) {
  const q = new URLSearchParams();
  for (const [name, input] of [['agent', 'privacy-f-agent'], ['ticket', 'privacy-f-ticket'], ['contact', 'privacy-f-contact']]) {
    const v = $(input).value.trim();
    if (v) { q.set(name, v); }
  }
  if (more && cursor) { q.set('before_at', cursor.before_at); q.set('before_id', cursor.before_id); }
  q.set('limit', '50');
  const form = $('privacy-views-form');
  clearFieldErrors(form);
  const res = await request('GET', '/api/v1/admin/view-audit?' + q.toString());
  const body = $('privacy-views');
  if (!more) { body.replaceChildren(); }
  $('privacy-views-live').classList.toggle('form-status-error', !res.ok);
  if (!res.ok) {
    const fields = fieldErrors(res);
    const marked = [['agent', 'privacy-f-agent'], ['ticket', 'privacy-f-ticket'], ['contact', 'privacy-f-contact']].filter(([f]) => fields[f]);
    marked.forEach(([f, input]) => setFieldError(input, String(fields[f])));
    if (marked.length) { $(marked[0][1]).focus(); }
    setText('privacy-views-live', errorMessage(res));
    return;
  }
  for (const v of res.data.views || []) {
    // People and tickets as the reader knows them: the account's name and
    // email, the ticket's tracking number (opening it); ids stay beside.
    const who = v.agent_name
      ? [el('span', { text: v.agent_name }), el('br'), el('span', { 'class': 'muted small', text: (v.agent_email || '') + ' · ID ' + v.agent_id })]
      : [String(v.agent_id)];
    const what = v.ticket_id
      ? [el('a', { href: '#ticket-' + v.ticket_id, 'class': 'mono', 'data-view-ticket': v.ticket_id, text: v.tracking_number || String(v.ticket_id) })]
      : ['—'];
    body.append(el('tr', null, [
      el('td', { text: formatDate(v.at) }),
      el('td', null, who),
      el('td', { text: label('privacy.view_', v.kind) }),
      el('td', null, what),
      el('td', { 'class': 'num', text: v.contact_id ? String(v.contact_id) : '—' }),
    ]));
  }
  cursor = res.data.next;
  $('privacy-views-more').hidden = !cursor;
  setText('privacy-views-live', t('privacy.views_shown', { n: body.children.length }));
}

async function purge() {
  const res = await request('POST', '/api/v1/admin/retention/run');
  if (res.ok) {
    const d = res.data;
    setText('privacy-purge-live', t('privacy.purged', { bodies: d.message_bodies, files: d.attachments, identities: d.identities, views: d.views }));
  } else {
    setText('privacy-purge-live', errorMessage(res));
  }
}

const field = (id, labelKey, attrs) => el('div', { 'class': 'field-inline' }, [
  el('label', { 'for': id, text: t(labelKey) }),
  el('input', Object.assign({ id, type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': id + '-error' }, attrs || {})),
  el('p', { 'class': 'field-error', id: id + '-error', hidden: true }),
]);

function build() {
  built = true;
  root.append(
    el('h2', { id: 'privacy-title', text: t('privacy.title') }),
    el('p', { 'class': 'muted small', text: t('privacy.intro') }),
    el('h3', { text: t('privacy.subject_title') }),
    el('form', { id: 'privacy-subject-form', 'class': 'bulk-form', novalidate: true }, [
      field('privacy-contact', 'privacy.contact_id', { inputmode: 'numeric', 'aria-describedby': 'privacy-contact-hint' }),
      el('p', { 'class': 'hint', id: 'privacy-contact-hint', text: t('privacy.contact_hint') }),
      el('div', { 'class': 'bulk-buttons' }, [
        el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', text: t('privacy.show') }),
        el('a', { id: 'privacy-export', 'class': 'btn btn-secondary btn-small', href: '#', download: '', hidden: true, text: t('privacy.export') }),
      ]),
    ]),
    el('p', { 'class': 'form-status', id: 'privacy-live', role: 'status', 'aria-live': 'polite' }),
    el('ul', { id: 'privacy-requests', 'aria-label': t('privacy.requests') }),
    el('form', { id: 'privacy-restrict-form', 'class': 'bulk-form', novalidate: true }, [
      field('privacy-reason', 'privacy.reason', { maxlength: '500' }),
      el('div', { 'class': 'bulk-buttons' }, [
        el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', text: t('privacy.restrict') }),
        el('button', { type: 'button', id: 'privacy-lift', 'class': 'btn btn-secondary btn-small', text: t('privacy.lift') }),
      ]),
    ]),
    el('div', { 'class': 'bulk-form' }, [
      el('label', { 'class': 'check' }, [el('input', { type: 'checkbox', id: 'privacy-erase-confirm' }), ' ', t('privacy.erase_confirm')]),
      el('div', { 'class': 'bulk-buttons' }, [el('button', { type: 'button', id: 'privacy-erase', 'class': 'btn btn-secondary btn-small', text: t('privacy.erase') })]),
    ]),
    el('h3', { text: t('privacy.views_title') }),
    el('form', { id: 'privacy-views-form', 'class': 'bulk-form', novalidate: true }, [
      field('privacy-f-agent', 'privacy.f_agent', { type: 'text', inputmode: 'email' }),
      field('privacy-f-ticket', 'privacy.f_ticket'),
      field('privacy-f-contact', 'privacy.f_contact', { inputmode: 'numeric' }),
      el('div', { 'class': 'bulk-buttons' }, [el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', text: t('privacy.views_search') })]),
    ]),
    el('p', { 'class': 'form-status', id: 'privacy-views-live', role: 'status', 'aria-live': 'polite' }),
    el('div', { 'class': 'board-scroll', role: 'region', tabindex: '0', 'aria-label': t('privacy.views_title') }, [
      el('table', { 'class': 'board-table' }, [
        el('thead', null, [el('tr', null, ['privacy.col_at', 'privacy.col_agent', 'privacy.col_kind', 'privacy.col_ticket', 'privacy.col_contact'].map((k) =>
          el('th', { scope: 'col', text: t(k) })))]),
        el('tbody', { id: 'privacy-views' }),
      ]),
    ]),
    el('button', { type: 'button', id: 'privacy-views-more', 'class': 'btn btn-secondary btn-small', hidden: true, text: t('privacy.views_more') }),
    el('h3', { text: t('privacy.retention_title') }),
    el('p', { 'class': 'muted small', text: t('privacy.retention_intro') }),
    el('button', { type: 'button', id: 'privacy-purge', 'class': 'btn btn-secondary btn-small', text: t('privacy.purge') }),
    el('p', { 'class': 'form-status', id: 'privacy-purge-live', role: 'status', 'aria-live': 'polite' }),
  );
  $('privacy-subject-form').addEventListener('submit', (ev) => { ev.preventDefault(); showSubject(''); });
  $('privacy-restrict-form').addEventListener('submit', restrict);
  $('privacy-lift').addEventListener('click', lift);
  $('privacy-erase').addEventListener('click', erase);
  $('privacy-views-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadViews(false); });
  $('privacy-views-more').addEventListener('click', () => loadViews(true));
  // A ticket's link opens it on the tickets tab, the focus in it.
  $('privacy-views').addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a[data-view-ticket]');
    if (a) { ev.preventDefault(); showTicket(Number(a.getAttribute('data-view-ticket'))); }
  });
  $('privacy-purge').addEventListener('click', purge);
}

export function mount() {
  if (!root) { return; }
  store.on(['agent', 'boardShown'], (s) => {
    const show = can(s.agent, 'privacy.manage') && !!s.boardShown;
    root.hidden = !show;
    if (show && !built) { build(); loadViews(false); }
  });
}
