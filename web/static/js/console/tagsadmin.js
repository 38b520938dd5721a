// Supervisors and admins keep the tag list and the wrap-up codes, and say
// which queues require a code before a ticket is solved: a section of the
// queue board tab (agents never see it). Reads its own data when the tab
// is shown; the tag list it changes is the store's tagList (tags.js). A
// tag is removed from every ticket, so it is asked once more in its chip.
import * as store from './store.js';
import * as api from './api.js';
import { $, t, el, setText, errorMessage, askInPlace, redrawn } from './ui.js';
import { can } from './actions.js';
import { loadTagList } from './tags.js';

const mount = $('tags-admin-mount');
let data = { codes: [], rules: [] };

const queues = () => store.get().targets.queues || [];
const queueName = (id) => { const q = queues().find((x) => x.id === id); return q ? (q.name || q.code) : ''; };

function say(res, done) {
  if (res.ok) { setText('tags-admin-live', done); return true; }
  const f = res.data && res.data.error && res.data.error.fields;
  const first = f ? Object.keys(f).map((k) => f[k])[0] : '';
  setText('tags-admin-live', first || errorMessage(res));
  return false;
}

async function loadCodes() {
  const res = await api.wrapupCodes();
  if (res.ok && res.data) {
    data = { codes: res.data.codes || [], rules: res.data.rules || [] };
    renderCodes();
  }
}

function build() {
  mount.append(
    el('h2', { id: 'tags-admin-title', text: t('tags.admin_title') }),
    el('p', { 'class': 'form-status', id: 'tags-admin-live', role: 'status', 'aria-live': 'polite' }),
    el('h3', { text: t('tags.admin_list') }),
    el('ul', { 'class': 'tag-chips tag-edit', id: 'tags-admin-list' }),
    el('form', { id: 'tags-admin-form', 'class': 'status-form tags-form', novalidate: true }, [
      el('label', { 'for': 'tags-admin-name', text: t('tags.admin_new') }),
      el('input', { id: 'tags-admin-name', type: 'text', maxlength: '40', autocomplete: 'off' }),
      el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', text: t('tags.add') }),
    ]),
    el('h3', { text: t('wrapup.admin_codes') }),
    el('div', { 'class': 'board-scroll', role: 'region', tabindex: '0', 'aria-label': t('wrapup.admin_codes') }, [
      el('table', { 'class': 'board-table' }, [
        el('thead', null, [el('tr', null, [t('wrapup.admin_col_code'), t('wrapup.admin_col_label'), t('wrapup.admin_col_queue'), t('wrapup.admin_col_state')].map((text) =>
          el('th', { scope: 'col', text })))]),
        el('tbody', { id: 'wrapup-admin-rows' }),
      ]),
    ]),
    el('form', { id: 'wrapup-admin-form', 'class': 'bulk-form wrapup-admin-form', novalidate: true }, [
      el('div', { 'class': 'field-inline' }, [el('label', { 'for': 'wrapup-admin-queue', text: t('wrapup.admin_col_queue') }), el('select', { id: 'wrapup-admin-queue' })]),
      el('div', { 'class': 'field-inline' }, [el('label', { 'for': 'wrapup-admin-code', text: t('wrapup.admin_col_code') }),
        el('input', { id: 'wrapup-admin-code', type: 'text', maxlength: '32', autocomplete: 'off', spellcheck: 'false' })]),
      el('div', { 'class': 'field-inline' }, [el('label', { 'for': 'wrapup-admin-label-id', text: t('wrapup.admin_label_id') }),
        el('input', { id: 'wrapup-admin-label-id', type: 'text', maxlength: '80' })]),
      el('div', { 'class': 'field-inline' }, [el('label', { 'for': 'wrapup-admin-label-en', text: t('wrapup.admin_label_en') }),
        el('input', { id: 'wrapup-admin-label-en', type: 'text', maxlength: '80', lang: 'en' })]),
      el('div', { 'class': 'bulk-buttons' }, [el('button', { type: 'submit', 'class': 'btn btn-secondary btn-small', text: t('wrapup.admin_add') })]),
    ]),
    el('h3', { text: t('wrapup.admin_rules') }),
    el('ul', { 'class': 'wrapup-rules', id: 'wrapup-admin-rules' }),
  );
  $('tags-admin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('tags-admin-name').value.trim();
    if (!name) { $('tags-admin-name').focus(); return; }
    if (say(await api.createTag(name), t('tags.saved'))) { $('tags-admin-name').value = ''; loadTagList(true); }
  });
  $('wrapup-admin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = $('wrapup-admin-queue').value;
    const body = { queue_id: q ? Number(q) : null, code: $('wrapup-admin-code').value.trim(),
      label_id: $('wrapup-admin-label-id').value.trim(), label_en: $('wrapup-admin-label-en').value.trim() };
    if (say(await api.createWrapupCode(body), t('wrapup.admin_saved'))) {
      ['wrapup-admin-code', 'wrapup-admin-label-id', 'wrapup-admin-label-en'].forEach((id) => { $(id).value = ''; });
      loadCodes();
    }
  });
}

// renderTags draws the tag list. A question left open (askInPlace) is
// kept in its tag's chip, with the focus it had: the list is read again
// whenever the board is shown or a tag changes, and the admin's answer
// must not go with it.
function renderTags(s) {
  const ul = $('tags-admin-list');
  const open = ul.querySelector('.ask-in-place');
  const openTag = open ? open.closest('li').dataset.tag : '';
  const focused = open && open.contains(document.activeElement) ? document.activeElement : null;
  // A chip's remove button with the focus (no question yet) keeps it in
  // the redrawn list, so a keyboard user's next key acts on the same tag.
  const a = document.activeElement;
  const onRemove = !focused && a && ul.contains(a) && a.classList.contains('tag-remove') ? a.closest('li').dataset.tag : '';
  ul.textContent = '';
  s.tagList.tags.forEach((tg) => {
    const rm = el('button', { type: 'button', 'class': 'tag-remove', 'aria-label': t('tags.admin_remove', { name: tg.name }), text: '×' });
    rm.addEventListener('click', () => {
      askInPlace(rm, 'tags-admin-remove-question-' + tg.id, t('tags.admin_remove_confirm', { name: tg.name }), t('admin.delete_yes'), async () => {
        const res = await api.removeTag(tg.id);
        if (!res.ok) { say(res); return; }
        // The chip went with the focus: it goes to the new tag's field,
        // then the outcome is said.
        await loadTagList(true);
        redrawn(mount, () => {}, ['#tags-admin-name'], '#tags-admin-title', $('tags-admin-live'), t('tags.saved'));
      });
    });
    ul.appendChild(el('li', { 'class': 'tag-chip', 'data-tag': String(tg.id) }, [el('span', { text: tg.name + (tg.managed ? '' : ' ' + t('tags.admin_free')) }), rm]));
  });
  const chip = open ? ul.querySelector('li[data-tag="' + openTag + '"]') : null;
  if (chip) { chip.querySelector('.tag-remove').replaceWith(open); }
  if (focused) { (chip ? focused : $('tags-admin-name')).focus(); }
  const again = onRemove ? ul.querySelector('li[data-tag="' + onRemove + '"] .tag-remove') : null;
  if (again) { again.focus(); }
}

function renderCodes() {
  const body = $('wrapup-admin-rows');
  body.textContent = '';
  data.codes.forEach((c) => {
    const toggle = el('button', { type: 'button', 'class': 'btn btn-link btn-small', text: t(c.active ? 'wrapup.admin_retire' : 'wrapup.admin_restore') });
    toggle.addEventListener('click', async () => {
      if (say(await api.updateWrapupCode(c.id, { label_id: c.label_id, label_en: c.label_en, active: !c.active }), t('wrapup.admin_saved'))) { loadCodes(); }
    });
    body.appendChild(el('tr', null, [
      el('td', { 'class': 'mono', text: c.code }),
      el('td', { text: c.label }),
      el('td', { text: c.queue_id ? queueName(c.queue_id) : t('wrapup.admin_all_queues') }),
      el('td', null, [el('span', { text: t(c.active ? 'wrapup.admin_active' : 'wrapup.admin_inactive') + ' ' }), toggle]),
    ]));
  });
  const sel = $('wrapup-admin-queue');
  const keep = sel.value;
  sel.textContent = '';
  sel.appendChild(el('option', { value: '', text: t('wrapup.admin_all_queues') }));
  queues().forEach((q) => sel.appendChild(el('option', { value: String(q.id), text: q.name || q.code })));
  sel.value = keep;
  const rules = $('wrapup-admin-rules');
  rules.textContent = '';
  queues().forEach((q) => {
    const r = data.rules.find((x) => x.queue_id === q.id);
    const cb = el('input', { type: 'checkbox', id: 'wrapup-rule-' + q.id });
    cb.checked = !!(r && r.required);
    cb.addEventListener('change', async () => {
      if (!say(await api.setWrapupRule(q.id, cb.checked), t('wrapup.admin_saved'))) { cb.checked = !cb.checked; return; }
      loadCodes();
    });
    rules.appendChild(el('li', null, [el('label', { 'class': 'check', 'for': 'wrapup-rule-' + q.id }, [cb, ' ' + t('wrapup.admin_required', { queue: q.name || q.code })])]));
  });
}

export function mountTagsAdmin() {
  if (!mount) { return; }
  build();
  store.on(['agent', 'boardShown'], (s) => {
    mount.hidden = !(can(s.agent, 'tags.manage') && s.boardShown);
    if (!mount.hidden) { loadCodes(); loadTagList(true); }
  });
  store.on(['tagList'], renderTags);
  store.on(['targets'], renderCodes);
}
