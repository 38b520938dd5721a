// The console's one door to the shared page helpers of common.js (texts
// handed over by the server, the JSON call, element building, form error
// display). common.js is a classic script that runs before any module, so
// its helpers are ready when this module is evaluated.
const T = window.Tanggap;

export const lang = T.lang;
export const t = T.t;
export const has = T.has;
export const label = T.label;
export const el = T.el;
export const request = T.api;
export const errorMessage = T.errorMessage;
export const fieldErrors = T.fieldErrors;
export const setFieldError = T.setFieldError;
export const clearFieldErrors = T.clearFieldErrors;
export const focusFirstInvalid = T.focusFirstInvalid;
export const formatDate = T.formatDate;
// formatDeadline is the status page's: a deadline at midnight reads as the
// end of the day before, so an officer names the day the citizen reads.
export const formatDeadline = T.formatDeadline;
export const busy = T.busy;
export const showAlert = T.showAlert;

export const $ = (id) => document.getElementById(id);

// setText sets an element's text; null and undefined show as nothing.
export function setText(id, text) {
  const n = typeof id === 'string' ? $(id) : id;
  if (n) { n.textContent = text === null || text === undefined ? '' : String(text); }
}

// sayIn writes a status region's text (id or the element). An error is
// set apart as one, by a sign and the error style, never by colour
// alone; the next text that is not an error takes both away.
export function sayIn(id, text, error) {
  const n = typeof id === 'string' ? $(id) : id;
  if (!n) { return; }
  const said = text === null || text === undefined ? '' : String(text);
  n.classList.toggle('form-status-error', !!error && said !== '');
  n.textContent = error && said ? '\u26a0 ' + said : said;
}

// cls keeps a code usable as a class name suffix.
export const cls = (code) => String(code || '').replace(/[^a-z0-9_]/g, '');

// A time alone reads as the time in formatDate does ("3:42 PM", "15.42").
const timeFmt = (() => {
  try { return new Intl.DateTimeFormat(lang, { timeStyle: 'short' }); } catch (e) { return null; }
})();

// number writes v in the console's language (id-ID: 1.234,5) with digits
// decimals, as the board and the wallboard do.
const numberFormats = {};
export function number(v, digits) {
  const d = digits || 0;
  if (!(d in numberFormats)) {
    try { numberFormats[d] = new Intl.NumberFormat(lang, { minimumFractionDigits: d, maximumFractionDigits: d }); } catch (e) { numberFormats[d] = null; }
  }
  return numberFormats[d] ? numberFormats[d].format(v) : Number(v).toFixed(d);
}

// shortTime is the time of day for today's dates, the full date otherwise.
export function shortTime(iso) {
  if (!iso) { return ''; }
  const d = new Date(iso);
  if (isNaN(d.getTime())) { return ''; }
  if (timeFmt && d.toDateString() === new Date().toDateString()) { return timeFmt.format(d); }
  return formatDate(iso);
}

// subjectOf is what a ticket is called in the list and its header: its
// subject, else its category, else the channel's conversation. Never the
// tracking number, which is shown beside it already.
export function subjectOf(tk) {
  if (tk.subject) { return tk.subject; }
  const cat = tk.category ? label('category.', tk.category, '') : '';
  if (cat) { return cat; }
  return t('console.subject_channel', { channel: label('channel.', tk.channel) });
}

export const FINISHED = ['solved', 'closed'];
export const isFinished = (status) => FINISHED.indexOf(status) >= 0;

// sayOutcome shows a save's outcome in a form: done in its live region;
// or each field error beside its field (fields maps the API's field names
// to control ids), the first invalid control focused, and the errors, set
// apart as errors, in the live region. True when the save went through.
export function sayOutcome(form, live, res, done, fields) {
  clearFieldErrors(form);
  live.classList.toggle('form-status-error', !res.ok);
  if (res.ok) { live.textContent = done; return true; }
  const f = fieldErrors(res);
  Object.keys(f).forEach((k) => { if (fields[k]) { setFieldError(fields[k], f[k]); } });
  live.textContent = Object.keys(f).length ? Object.keys(f).map((k) => f[k]).join(' ') : errorMessage(res);
  focusFirstInvalid(form);
  return false;
}

// tableOf builds an admin table. On a phone each row is shown as a card
// (app.css, .stack-table): every cell is labelled with its column's name
// (data-label), and the header row is only out of sight. The explicit
// roles keep it a table for browsers that drop a table's semantics once
// its cells are display: block (Chromium keeps them; not every one does).
export function tableOf(caption, heads, rows, id) {
  rows.forEach((tr) => {
    tr.setAttribute('role', 'row');
    let col = 0;
    [...tr.cells].forEach((c) => {
      if (!c.hasAttribute('data-label') && heads[col] !== undefined) { c.setAttribute('data-label', heads[col]); }
      c.setAttribute('role', c.tagName === 'TH' ? 'rowheader' : 'cell');
      col += c.colSpan;
    });
  });
  return el('div', { 'class': 'board-scroll', role: 'region', 'aria-label': caption, tabindex: '0' }, [
    el('table', { 'class': 'board-table admin-table stack-table', id, role: 'table' }, [
      el('caption', { 'class': 'visually-hidden', text: caption }),
      el('thead', { role: 'rowgroup' }, [el('tr', { role: 'row' }, heads.map((h) => el('th', { scope: 'col', role: 'columnheader', text: h })))]),
      el('tbody', { role: 'rowgroup' }, rows),
    ]),
  ]);
}

// keepLive empties box but for live, its status region, which is drawn
// once and kept: a region drawn afresh with its text is seldom read out,
// a change of a kept region's text is. What goes before live is put back
// with box.prepend, what goes after it with box.append.
export function keepLive(box, live) {
  [...box.childNodes].forEach((n) => { if (n !== live) { n.remove(); } });
  if (live.parentNode !== box) { box.append(live); }
}

// redrawn draws part of a screen again after an action (draw), which may
// take away the control that had the focus: the focus, when so lost, goes
// to the first of targets (selectors, looked for in root) on screen, else
// to fallback (a selector: the heading, made focusable for it). Then
// done, when given, goes into live (a region keepLive keeps): after the
// focus moved, so the outcome is said, not cut short by the move.
export function redrawn(root, draw, targets, fallback, live, done) {
  draw();
  const a = document.activeElement;
  if (!a || a === document.body || !a.isConnected) {
    const to = (targets || []).filter(Boolean).map((sel) => root.querySelector(sel)).find((n) => n && n.getClientRects().length);
    if (to) {
      to.focus();
    } else {
      const h = fallback && root.querySelector(fallback);
      if (h && h.tabIndex < 0 && !h.hasAttribute('tabindex')) { h.setAttribute('tabindex', '-1'); }
      if (h) { h.focus(); }
    }
  }
  if (live && done !== undefined) { live.textContent = done; }
}

// keepFocus draws a live part of a screen again (draw: an alert list, a
// contact's history) that a change pushed to the console redraws while an
// officer may be on it by keyboard: the focus, if it was on a control in
// root, goes to the control drawn in its place (the same id, or the same
// data-* key), else to fallback (a heading's id, made focusable), instead
// of falling to the page, where Enter does nothing.
export function keepFocus(root, draw, fallback) {
  const a = document.activeElement;
  const had = a && a !== root && root.contains(a) ? a : null;
  const key = had && focusKey(had);
  draw();
  if (!had || had.isConnected) { return; }
  const again = key && root.querySelector(key);
  if (again && again.getClientRects().length) { again.focus(); return; }
  const h = fallback && document.getElementById(fallback);
  if (!h) { return; }
  if (!h.hasAttribute('tabindex')) { h.setAttribute('tabindex', '-1'); }
  h.focus();
}

// focusKey is a selector for the element drawn in e's place: its id, or
// its first data-* attribute and value.
function focusKey(e) {
  if (e.id) { return '#' + CSS.escape(e.id); }
  const d = [...e.attributes].find((x) => x.name.startsWith('data-'));
  return d ? e.localName + '[' + d.name + '="' + CSS.escape(d.value) + '"]' : null;
}

// askInPlace asks once more before a step that cannot be taken back (a
// deletion, a deactivation), in place of the control that starts it: the
// question (a paragraph, id) and two answers take the control's place,
// the focus on the answer that does it (yes: its text), which the
// question describes. "Batal" or Escape withdraws the question: the
// control is back, with the focus. The answer puts the control back too,
// before done is called, so a second press sends nothing more, and a
// refusal leaves the admin where they were. attrs (optional) are set on
// the answers ({yes: {...}, no: {...}}). One question is asked at a time:
// a new one withdraws the one left open, as a redraw of the screen does.
let asked = null;
export function askInPlace(control, id, question, yes, done, attrs) {
  if (asked) { asked(false); }
  const a = attrs || {};
  const yesBtn = el('button', Object.assign({ type: 'button', 'class': 'btn btn-primary btn-small', 'data-answer': 'yes', 'aria-describedby': id, text: yes }, a.yes));
  const noBtn = el('button', Object.assign({ type: 'button', 'class': 'btn btn-secondary btn-small', 'data-answer': 'no', text: t('admin.cancel') }, a.no));
  const box = el('div', { 'class': 'ask-in-place' }, [el('p', { id, 'class': 'admin-confirm', text: question }),
    el('span', { 'class': 'ask-answers' }, [yesBtn, ' ', noBtn])]);
  // withdraw puts the control back; focus: when the question had the
  // focus, it goes to the control.
  const withdraw = (focus) => {
    if (asked === withdraw) { asked = null; }
    if (!box.isConnected) { return; }
    const had = box.contains(document.activeElement);
    box.replaceWith(control);
    if (focus || had) { control.focus(); }
  };
  yesBtn.addEventListener('click', (ev) => { ev.stopPropagation(); withdraw(true); done(); });
  noBtn.addEventListener('click', (ev) => { ev.stopPropagation(); withdraw(true); });
  box.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') { return; }
    ev.preventDefault();
    ev.stopPropagation();
    withdraw(true);
  });
  control.replaceWith(box);
  asked = withdraw;
  yesBtn.focus();
}

// clearOnEdit takes a field's error away as soon as the field is edited
// (input or change in root): the message beside it, its aria-invalid and
// its mark. A group that carries one message for its controls (a
// fieldset: the SLA targets, a role's permissions) loses it when any of
// them is edited, and their marks with it.
export function clearOnEdit(root) {
  const clear = (ev) => {
    for (let n = ev.target; n && n !== root; n = n.parentElement) {
      const err = n.id ? document.getElementById(n.id + '-error') : null;
      if (n.getAttribute('aria-invalid') === null && !(err && !err.hidden)) { continue; }
      n.removeAttribute('aria-invalid');
      if (!err) { continue; }
      err.textContent = '';
      err.hidden = true;
      n.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
      const f = n.closest('.field');
      if (f) { f.classList.remove('field-invalid'); }
      return;
    }
  };
  root.addEventListener('input', clear);
  root.addEventListener('change', clear);
}
