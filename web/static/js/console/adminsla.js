// The queue form's SLA targets (admin.js draws the form around them): one
// row per priority, each target a whole number and a unit of service time,
// and a line saying what a day of that time is on the queue.
import { $, t, el, label, number } from './ui.js';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// SLA targets: one row per priority, its first response, resolution and
// next response targets and the warning's lead, each a whole number and a
// unit of service time (the queue's open time: a service day is 24 open
// hours, not a calendar day; serviceDay says what it is on the queue).
// The API keeps seconds of business time; a stored target is shown
// in the largest unit that holds it whole (900 → 15 minutes, 28800 → 8
// hours). Seconds are offered only for a target no whole minute holds, so
// a save never rounds one. An empty (or 0) target is none (an empty
// warning: a fifth of each target); an empty row is left out of the SLA.
const UNITS = [['days', 86400], ['hours', 3600], ['minutes', 60], ['seconds', 1]];
const unitWord = (u) => ({ days: t('admin.unit_days'), hours: t('admin.unit_hours'), minutes: t('admin.unit_minutes'), seconds: t('admin.unit_seconds') })[u];
// [id part, API field, name, unit of an empty target]
const SLA_TARGETS = [['first', 'first_response_seconds', () => t('admin.sla_first_response'), 'minutes'],
  ['resolution', 'resolution_seconds', () => t('admin.sla_resolution'), 'hours'],
  ['next', 'next_response_seconds', () => t('admin.sla_next_response'), 'minutes'],
  ['warn', 'warn_before_seconds', () => t('admin.sla_warn_before'), 'minutes']];
// The server's bound on each (routing.MaxSLASeconds): 365 days.
const SLA_MAX_DAYS = 365;
const WHOLE = /^\d+$/;
const slaID = (p, target) => 'aq-sla-' + p + '-' + target[0];
// A target's name as a screen reader hears it: "Mendesak, respons pertama".
const slaNaming = (p, target) => ({ priority: label('priority.', p), target: target[2]().toLowerCase() });

function slaDuration(p, target, seconds) {
  const id = slaID(p, target);
  const shown = seconds > 0 ? UNITS.map(([u, n]) => ({ n: seconds / n, unit: u })).find((x) => Number.isInteger(x.n)) : { n: '', unit: target[3] };
  const units = UNITS.filter(([u]) => u !== 'seconds' || shown.unit === 'seconds');
  return el('div', { 'class': 'sla-target' }, [
    el('label', { 'for': id, 'class': 'sla-target-name', text: target[2]() }),
    el('span', { id: id + '-name', hidden: true, text: t('admin.sla_amount_name', slaNaming(p, target)) }),
    el('span', { id: id + '-unit-name', hidden: true, text: t('admin.sla_unit_name', slaNaming(p, target)) }),
    el('div', { 'class': 'sla-duration' }, [
      el('input', { type: 'number', id, min: '0', step: '1', inputmode: 'numeric', autocomplete: 'off', value: String(shown.n),
        'aria-labelledby': id + '-name', 'aria-describedby': 'aq-sla-error' }),
      el('select', { id: id + '-unit', 'aria-labelledby': id + '-unit-name' },
        units.map(([u]) => el('option', { value: u, text: unitWord(u), selected: u === shown.unit }))),
    ]),
  ]);
}

// serviceDay says what a day of SLA time is on a queue open in week
// ({mon: ["08:00-12:00", …]}, as the API keeps it): a calendar day when
// no day is named (open around the clock), else about how many of its
// working days 24 open hours take; '' while the days named hold no open
// time it can read (the server says what is wrong with them on save).
function serviceDay(week) {
  if (!Object.keys(week || {}).length) { return t('admin.sla_day_always'); }
  const days = WEEK.map((d) => week[d] || []);
  let minutes = 0;
  let open = 0;
  days.forEach((spans) => {
    const m = spans.reduce((sum, span) => {
      const x = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(span);
      const from = x ? Number(x[1]) * 60 + Number(x[2]) : 0;
      const to = x ? Number(x[3]) * 60 + Number(x[4]) : 0;
      return sum + (x && to > from && to <= 1440 ? to - from : 0);
    }, 0);
    minutes += m;
    open += m > 0 ? 1 : 0;
  });
  if (!minutes) { return ''; }
  const round = (v) => number(v, Number.isInteger(Math.round(v * 10) / 10) ? 0 : 1);
  return t('admin.sla_day_here', { hours: round(minutes / 60), days: round((24 * 60 * open) / minutes) });
}

// showServiceDay says it again for the hours as the admin types them.
export function showServiceDay(week) {
  const day = $('aq-sla-day');
  if (!day) { return; }
  day.textContent = serviceDay(week);
  day.hidden = !day.textContent;
}

// slaFieldset is the SLA control; its id and error line are the ones say
// uses for the API's "sla" field. Its targets count the queue's open time
// only: the units say so, and a line says what a day is on this queue,
// following its hours as they are typed.
export function slaFieldset(sla, week) {
  const day = el('p', { 'class': 'hint sla-day', id: 'aq-sla-day', text: serviceDay(week) });
  day.hidden = !day.textContent;
  return el('fieldset', { 'class': 'field sla', id: 'aq-sla', tabindex: '-1', 'aria-describedby': 'aq-sla-day aq-sla-hint aq-sla-error' }, [
    el('legend', { text: t('admin.sla') }),
    day,
    el('p', { 'class': 'hint', id: 'aq-sla-hint', text: t('admin.sla_help') }),
    ...PRIORITIES.map((p) => el('div', { 'class': 'sla-row', 'data-priority': p }, [
      el('span', { 'class': 'sla-priority', text: label('priority.', p) }),
      ...SLA_TARGETS.map((target) => slaDuration(p, target, sla && sla[p] ? sla[p][target[1]] : 0)),
    ])),
    el('p', { 'class': 'field-error', id: 'aq-sla-error', hidden: true }),
  ]);
}

// readSLA is {sla} in seconds as the form says it, or {bad, message} for
// the first target the server would refuse: not a whole number of 0 or
// more, longer than SLA_MAX_DAYS, or a warning not shorter than the
// row's longest target (it would be on from the start).
export function readSLA() {
  const sla = {};
  for (const p of PRIORITIES) {
    const row = {};
    for (const target of SLA_TARGETS) {
      const n = $(slaID(p, target));
      const v = n.value.trim();
      if (n.validity.badInput || (v && !WHOLE.test(v))) { return { bad: n, message: t('admin.sla_invalid', slaNaming(p, target)) }; }
      row[target[1]] = v ? Number(v) * UNITS.find(([u]) => u === $(n.id + '-unit').value)[1] : 0;
      if (row[target[1]] > SLA_MAX_DAYS * 86400) {
        return { bad: n, message: t('admin.sla_too_long', Object.assign(slaNaming(p, target), { days: SLA_MAX_DAYS })) };
      }
    }
    const warn = SLA_TARGETS[3];
    if (row.warn_before_seconds && row.warn_before_seconds >= Math.max(row.first_response_seconds, row.resolution_seconds, row.next_response_seconds)) {
      return { bad: $(slaID(p, warn)), message: t('admin.sla_warn_too_long', slaNaming(p, warn)) };
    }
    if (Object.values(row).some(Boolean)) { sla[p] = row; }
  }
  return { sla };
}
