// The colleagues a ticket can be given to, as every "to whom" list offers
// them (a ticket's transfer in details.js, the wallboard's "move all"):
// ready ones first, then busy, away and offline, each by name, the
// presence written out, never a colour alone. A colleague who cannot take
// a ticket now (offline, or with no room left where the load is known:
// the server would answer no_capacity) is offered disabled, with why in
// the option's own words, so a screen reader says it too.
import { t, el } from './ui.js';

const ORDER = { online: 0, busy: 1, away: 2, offline: 3 };

// readyFirst returns the colleagues in the order they are offered.
export function readyFirst(agents) {
  return (agents || []).slice().sort((x, y) => (ORDER[x.presence] ?? 4) - (ORDER[y.presence] ?? 4)
    || String(x.name || '').localeCompare(String(y.name || '')));
}

// cannotTake says why colleague a cannot take a ticket now; '' when they can.
export function cannotTake(a) {
  if (!a || a.presence === 'offline') { return t('board.cannot_take'); }
  if (typeof a.load === 'number' && typeof a.capacity === 'number' && a.load >= a.capacity) { return t('board.cannot_take_full'); }
  return '';
}

// agentOption is colleague a's option in a "to whom" select: text as the
// caller words it, disabled with the reason beside it when a cannot take
// a ticket now.
export function agentOption(value, a, text) {
  const why = cannotTake(a);
  return el('option', { value, disabled: !!why, text: why ? t('board.agent_unavailable', { option: text, reason: why }) : text });
}
