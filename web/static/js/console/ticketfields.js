// Fields of the details panel that are typed or chosen for the open
// ticket (the note on its citizen, the transfer's note and target, the tag
// being added) go with that ticket, as the reply box's drafts do
// (thread.js): another ticket opened keeps what was in them for the one
// left and shows what was left on the new one, or nothing. Saving one on
// the wrong ticket would put a citizen's note on another citizen, or send
// a ticket where another was meant to go.
//
// Kept in the page's memory only; forgetAll drops them all when another
// agent signs in on the page (main.js), like the reply drafts.
import * as store from './store.js';
import { $ } from './ui.js';

const kept = new Map(); // field id → Map(ticket id → value)
let shownFor = 0; // the ticket whose values the fields show
let listening = false;

function swap(next) {
  kept.forEach((byTicket, id) => {
    const f = $(id);
    if (!f) { return; }
    if (shownFor && f.value) { byTicket.set(shownFor, f.value); } else { byTicket.delete(shownFor); }
    f.value = (next && byTicket.get(next)) || '';
    byTicket.delete(next);
  });
  shownFor = next || 0;
}

// keepPerTicket makes the fields with these ids hold a value per ticket.
export function keepPerTicket(...ids) {
  ids.forEach((id) => { if (!kept.has(id)) { kept.set(id, new Map()); } });
  if (!listening) {
    listening = true;
    shownFor = store.get().selectedId || 0;
    store.on(['selectedId'], (s) => swap(s.selectedId));
  }
}

// done empties the fields after a save for ticket id: on screen if that
// ticket is still shown, else what was kept for it (the agent opened
// another ticket while the save was on its way).
export function done(id, ...ids) {
  ids.forEach((fid) => {
    if (id === shownFor) {
      const f = $(fid);
      if (f) { f.value = ''; }
    } else if (kept.has(fid)) {
      kept.get(fid).delete(id);
    }
  });
}

// forgetAll drops every kept value and empties the fields.
export function forgetAll() {
  kept.forEach((byTicket, id) => {
    byTicket.clear();
    const f = $(id);
    if (f) { f.value = ''; }
  });
}
