// Tags, the wrap-up code and the printable transcript of the open ticket
// (details panel), and the tags shown on each ticket of the list.
//
// Store keys (see store.js): ticketTags {ticketId: [names]} from the list,
// the open ticket and ticket.tagged events; tagList {tags, may_create,
// loaded}; wrapup {id, queue, required, chosen, codes} of the open ticket.
//
// The list of tags to choose from changes when a supervisor adds or
// removes one, and no event says so: it is read at sign-in, again when
// the tag field takes the focus and the list is older than LIST_FRESH_MS,
// at once when a ticket.tagged event names a tag not on it (one was
// made by using it), and after a refusal naming a tag not on the list.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, setText, errorMessage, busy } from './ui.js';
import { keepPerTicket, done } from './ticketfields.js';

const mount = $('tags-mount');

// tagsOf is a ticket's tags as the console knows them.
export function tagsOf(id, s) {
  const v = (s || store.get()).ticketTags[id];
  return Array.isArray(v) ? v : [];
}

// chips renders a ticket's tags for the list (never colour alone: the
// words are the tags, and a screen reader hears "Tag: …" as text, since a
// name on a plain span is not read).
export function chips(id, s) {
  const names = tagsOf(id, s);
  if (!names.length) { return null; }
  return el('span', { 'class': 'tag-chips' }, [
    el('span', { 'class': 'visually-hidden', text: t('tags.list_label', { tags: names.join(', ') }) }),
    ...names.map((n) => el('span', { 'class': 'tag-chip', 'aria-hidden': 'true', text: n })),
  ]);
}

function setTags(id, names) {
  store.set({ ticketTags: store.bump(store.get().ticketTags, id, names.slice().sort()) });
}

// fromList takes the tags a list read carried ({ticketId: names}).
export function fromList(byId) {
  if (!byId || typeof byId !== 'object') { return; }
  const next = Object.assign({}, store.get().ticketTags);
  store.get().tickets.forEach((tk) => { next[tk.id] = Array.isArray(byId[tk.id]) ? byId[tk.id] : []; });
  store.set({ ticketTags: next });
}

const LIST_FRESH_MS = 30000;
let listReadAt = 0; // when the list was last asked for (0: read it at the next chance)

// loadTagList reads the tags to choose from: when forced, else when they
// were never read or were read more than LIST_FRESH_MS ago.
export async function loadTagList(force) {
  const s = store.get();
  if (s.tagList.loaded && !force && Date.now() - listReadAt < LIST_FRESH_MS) { return; }
  listReadAt = Date.now();
  store.set({ tagList: Object.assign({}, s.tagList, { loaded: true }) });
  const res = await api.listTags();
  if (res.ok && res.data) {
    store.set({ tagList: { tags: res.data.tags || [], may_create: !!res.data.may_create, loaded: true } });
  } else {
    listReadAt = 0;
    store.set({ tagList: Object.assign({}, store.get().tagList, { loaded: false }) });
  }
}

// onList says whether every name is on the list of tags as last read.
function onList(names) {
  const known = store.get().tagList.tags.map((tg) => tg.name);
  return names.every((n) => known.indexOf(n) >= 0);
}

// loadWrapup reads ticket id's wrap-up state (the codes offered, whether
// one is required, the one chosen): when it opens or moves queue, on a
// push, and when a solve was refused for want of a code (details.js), as
// the queue's rule may have changed since it was read.
// Reads of the wrap-up in order: one answered after a later one started
// (an event, a refused solve and opening the ticket, close together)
// would put an older state back on screen, so it is dropped, and its
// caller waits for the later read instead (details.js focuses what that
// one draws).
let wrapupSeq = 0;
let wrapupLatest = Promise.resolve();
export function loadWrapup(id) {
  const seq = ++wrapupSeq;
  const read = (async () => {
    const res = await api.getWrapup(id);
    if (seq !== wrapupSeq) { return wrapupLatest; }
    if (store.get().selectedId !== id) { return; }
    const tk = store.get().ticket;
    if (res.ok && res.data && res.data.wrapup) {
      store.set({ wrapup: Object.assign({ id, queue: tk ? tk.queue_id : null }, res.data.wrapup) });
    } else {
      store.set({ wrapup: null });
    }
  })();
  wrapupLatest = read;
  return read;
}

// applyEvent takes ticket.tagged and ticket.wrapup from the socket.
export function applyEvent(name, d) {
  const id = Number(d.ticket_id) || 0;
  if (!id) { return; }
  if (name === 'ticket.tagged') {
    const names = Array.isArray(d.tags) ? d.tags : [];
    setTags(id, names);
    // A tag made by using it: the list has grown.
    if (store.get().tagList.loaded && !onList(names)) { loadTagList(true); }
  } else if (name === 'ticket.wrapup' && store.get().selectedId === id) {
    loadWrapup(id);
  }
}

// say tells a save's outcome under the field: a refusal set apart as one
// (a sign and the error style, not colour alone) and the field marked
// invalid; anything else as done. An empty text clears what was said.
function say(text, refused) {
  const live = $('tags-live');
  live.classList.toggle('form-status-error', !!refused);
  live.textContent = text ? (refused ? '\u26a0 ' : '') + text : '';
  if (refused) { $('tags-input').setAttribute('aria-invalid', 'true'); } else { $('tags-input').removeAttribute('aria-invalid'); }
}

async function save(id, names) {
  say('', false); // the last outcome does not hold for this attempt
  busy($('tags-add-btn'), true, t('common.loading'));
  const res = await api.setTags(id, names);
  busy($('tags-add-btn'), false);
  if (res.ok && res.data) { setTags(id, res.data.tags || []); }
  // Another ticket opened meanwhile: nothing is said there.
  if (store.get().selectedId !== id) { return res.ok; }
  if (res.ok && res.data) {
    say(t('tags.saved'), false);
    return true;
  }
  if (res.status === 401) { return false; }
  const f = res.data && res.data.error && res.data.error.fields;
  say((f && f.tags) || errorMessage(res), true);
  // Refused for a name the list, as last read, may not show as it is now.
  if (f && f.tags) { loadTagList(true); }
  return false;
}

function build() {
  const input = el('input', { id: 'tags-input', type: 'text', list: 'tags-options', autocomplete: 'off', maxlength: '40',
    spellcheck: 'false', 'aria-describedby': 'tags-hint tags-live' });
  const wrapSelect = el('select', { id: 'wrapup-select', 'aria-describedby': 'wrapup-state' });
  // The wrap-up code first: it sits right under the status it unlocks.
  mount.append(
    el('form', { id: 'wrapup-form', 'class': 'status-form wrapup-form', novalidate: true }, [
      el('label', { 'for': 'wrapup-select', id: 'wrapup-label', text: t('wrapup.title') }),
      wrapSelect,
      el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', id: 'wrapup-btn', text: t('wrapup.save') }),
    ]),
    el('p', { 'class': 'wrapup-state', id: 'wrapup-state', role: 'status', 'aria-live': 'polite' }),
    el('h3', { 'class': 'side-title', id: 'tags-title', text: t('tags.title') }),
    el('ul', { 'class': 'tag-chips tag-edit', id: 'tags-chips', 'aria-labelledby': 'tags-title' }),
    el('form', { id: 'tags-form', 'class': 'status-form tags-form', novalidate: true }, [
      el('label', { 'for': 'tags-input', text: t('tags.input') }),
      input,
      el('datalist', { id: 'tags-options' }),
      el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', id: 'tags-add-btn', text: t('tags.add') }),
    ]),
    el('p', { 'class': 'hint', id: 'tags-hint' }),
    el('p', { 'class': 'form-status', id: 'tags-live', role: 'status', 'aria-live': 'polite' }),
    el('p', { 'class': 'transcript-link' }, [
      el('a', { id: 'transcript-link', 'class': 'btn btn-link btn-small', target: '_blank', rel: 'noopener',
        'aria-describedby': 'transcript-hint', text: t('transcript.open') }),
      el('span', { 'class': 'visually-hidden', id: 'transcript-hint', text: t('transcript.open_hint') }),
    ]),
  );

  $('tags-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = store.get().selectedId;
    const v = $('tags-input').value.trim();
    if (!id || !v) { $('tags-input').focus(); return; }
    const names = tagsOf(id).concat(v.split(',').map((x) => x.trim()).filter(Boolean));
    if (await save(id, names)) { done(id, 'tags-input'); }
    if (store.get().selectedId === id) { $('tags-input').focus(); }
  });
  $('tags-input').addEventListener('focus', () => loadTagList());
  // What was refused is being changed: it no longer stands as refused.
  $('tags-input').addEventListener('input', () => {
    if ($('tags-live').classList.contains('form-status-error')) { say('', false); }
  });
  $('wrapup-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = store.get().selectedId;
    const code = $('wrapup-select').value;
    if (!id) { return; }
    if (!code) { setText('wrapup-state', t('bulk.need_value')); $('wrapup-select').focus(); return; }
    busy($('wrapup-btn'), true, t('common.loading'));
    const res = await api.setWrapup(id, code);
    busy($('wrapup-btn'), false);
    if (store.get().selectedId !== id) { return; }
    if (res.ok && res.data && res.data.wrapup) {
      store.set({ wrapup: Object.assign({ id, queue: store.get().ticket ? store.get().ticket.queue_id : null }, res.data.wrapup) });
      const c = res.data.wrapup.chosen;
      setText('wrapup-state', t('wrapup.saved', { label: c ? c.label : code }));
      return;
    }
    const f = res.data && res.data.error && res.data.error.fields;
    setText('wrapup-state', (f && f.code) || errorMessage(res));
  });
}

function renderTags(s) {
  const id = s.selectedId;
  mount.hidden = !id || !s.ticket || s.ticket.id !== id;
  if (mount.hidden) { return; }
  const ul = $('tags-chips');
  ul.textContent = '';
  const names = tagsOf(id, s);
  if (!names.length) { ul.appendChild(el('li', { 'class': 'muted small', text: t('tags.none') })); }
  names.forEach((n) => {
    const rm = el('button', { type: 'button', 'class': 'tag-remove', 'aria-label': t('tags.remove', { name: n }), text: '×' });
    rm.addEventListener('click', async () => {
      await save(id, tagsOf(id).filter((x) => x !== n));
      $('tags-input').focus();
    });
    ul.appendChild(el('li', { 'class': 'tag-chip' }, [el('span', { text: n }), rm]));
  });
  const dl = $('tags-options');
  dl.textContent = '';
  const offered = s.tagList.tags.filter((tg) => names.indexOf(tg.name) < 0);
  offered.forEach((tg) => dl.appendChild(el('option', { value: tg.name })));
  // With nothing on the list to pick (none made yet, or all on this
  // ticket already), the hint says so rather than to pick from it.
  let hint = 'tags.hint_managed';
  if (s.tagList.may_create) { hint = 'tags.hint_free'; } else if (s.tagList.loaded && !offered.length) { hint = 'tags.hint_empty'; }
  setText('tags-hint', t(hint));
  $('transcript-link').setAttribute('href', '/api/v1/tickets/' + encodeURIComponent(id) + '/transcript');
}

function renderWrapup(s) {
  const w = s.wrapup && s.wrapup.id === s.selectedId ? s.wrapup : null;
  const form = $('wrapup-form');
  const sel = $('wrapup-select');
  const codes = w ? w.codes || [] : [];
  form.hidden = !w || !codes.length;
  const keep = sel.value;
  sel.textContent = '';
  sel.appendChild(el('option', { value: '', text: t('wrapup.choose') }));
  codes.forEach((c) => sel.appendChild(el('option', { value: c.code, text: c.label || c.code })));
  sel.value = w && w.chosen ? w.chosen.code : (codes.some((c) => c.code === keep) ? keep : '');
  const state = $('wrapup-state');
  state.classList.toggle('wrapup-missing', !!(w && w.required && !w.chosen));
  let text = '';
  if (w && !codes.length) {
    text = t('wrapup.none_offered');
  } else if (w && w.chosen) {
    text = t('wrapup.chosen', { label: w.chosen.label || w.chosen.code }) + (w.required ? ' · ' + t('wrapup.required_hint') : '');
  } else if (w && w.required) {
    text = '⚠ ' + t('wrapup.missing');
  }
  state.textContent = text;
  $('wrapup-label').textContent = t('wrapup.title') + (w && w.required ? ' (' + t('wrapup.required_short') + ')' : '');
  // The solve button says why it would be refused.
  const btn = $('status-btn');
  if (btn) {
    if (w && w.required && !w.chosen) { btn.setAttribute('aria-describedby', 'wrapup-state'); } else { btn.removeAttribute('aria-describedby'); }
  }
}

export function mountTags() {
  if (!mount) { return; }
  build();
  let shown = { id: 0, queue: undefined };
  store.on(['selectedId', 'ticket', 'ticketTags', 'tagList'], renderTags);
  store.on(['wrapup', 'selectedId'], renderWrapup);
  store.on(['ticket', 'selectedId'], (s) => {
    const tk = s.ticket;
    if (!tk || tk.id !== s.selectedId) {
      if (!s.selectedId) { shown = { id: 0, queue: undefined }; }
      return;
    }
    if (Array.isArray(tk.tags)) { setTags(tk.id, tk.tags); }
    // Read the wrap-up state when another ticket opens or the ticket
    // moved to another queue (the codes offered follow the queue).
    if (shown.id !== tk.id || shown.queue !== tk.queue_id) {
      shown = { id: tk.id, queue: tk.queue_id };
      if (shown.id !== (s.wrapup && s.wrapup.id)) { store.set({ wrapup: null }); }
      loadWrapup(tk.id);
    }
  });
  store.on(['selectedId'], () => { say('', false); setText('wrapup-state', ''); });
  // A tag being typed was meant for the ticket it was typed on.
  keepPerTicket('tags-input');
  store.on(['agentKey'], (s) => { if (s.agent) { loadTagList(true); } });
}
