// The agent console, as native ES modules without a build step:
//   store.js    the one state store every view renders from
//   socket.js   the one push socket (GET /api/v1/ws), with its fallback poll
//   live.js     the socket's events applied to the store
//   api.js, actions.js   API calls, and reads that fill the store
//   session.js, list.js, thread.js, whatsapp.js, details.js, board.js,
//   notify.js   the views; each owns its part of the page
// This module mounts the views and signs the agent in from the session
// cookie, if there is one.
import * as store from './store.js';
import * as socket from './socket.js';
import * as api from './api.js';
import { $, showAlert } from './ui.js';
import { loadList, openTicket, loadTargets } from './actions.js';
import * as session from './session.js';
import * as list from './list.js';
import * as thread from './thread.js';
import * as unsent from './unsent.js'; // replies not sent: kept when their ticket leaves, asked about at sign-out
import * as whatsapp from './whatsapp.js';
import * as details from './details.js';
import * as board from './board.js';
import * as boardnav from './boardnav.js';
import * as notify from './notify.js';
import { mountTags } from './tags.js';
import { mountBulk } from './bulk.js';
import { mountShortcuts } from './shortcuts.js';
import { mountTagsAdmin } from './tagsadmin.js';
import * as notes from './notes.js';
import * as canned from './canned.js';
import * as contact from './contact.js';
import * as attach from './attach.js';
import * as ticketFields from './ticketfields.js';
import * as composer from './composer.js'; // the reply box kept small on a phone
import * as search from './search.js';
import * as privacy from './privacy.js';
import * as delivery from './delivery.js'; // notify: notifications to the citizen
import * as csat from './csat.js';
import * as lifecycle from './lifecycle.js'; // complaint lifecycle
import * as reports from './reports.js';
import { mountWallboard } from './wallboard.js';
import { mountAdmin } from './admin.js';
import { mountAdminExtra } from './adminextra.js';
import { mountRefusedAdmin } from './refusedadmin.js'; // items the channels could not read (admins)
import { mountCannedAdmin } from './cannedadmin.js';
import * as roles from './roles.js';
import { mountWhatsAppTemplates } from './watemplates.js'; // the WhatsApp channel's templates (admins)

if ($('console-view')) {
  notify.mount();
  session.mount();
  list.mount();
  thread.mount();
  unsent.mount(); // after thread: a closed ticket's reply is with its drafts by then
  whatsapp.mount();
  details.mount();
  board.mount();
  boardnav.mount(); // the board tab's table of contents
  mountTags();
  mountBulk();
  mountShortcuts();
  mountTagsAdmin();
  notes.mount();
  canned.mount();
  contact.mount();
  attach.mount();
  composer.mount();
  search.mount(); // search and views
  privacy.mount(); // personal data: subject requests, view audit, retention (admins)
  delivery.mount(); // notify
  csat.mount(); // satisfaction: ticket ratings, own average, low-rating alerts
  lifecycle.mount(); // complaint lifecycle
  reports.mount(); // reports (queue board tab)
  mountWallboard(); // wallboard
  mountAdminExtra(); // admin screens: complaint categories, IVR menu (before mountAdmin)
  mountRefusedAdmin(); // admin screens: items the channels could not read (before mountAdmin)
  mountWhatsAppTemplates(); // admin screens: WhatsApp templates (before mountAdmin)
  mountAdmin(); // admin screens
  mountCannedAdmin(); // canned replies and macros: the management screen
  roles.mount(); // roles: named sets of permissions (admins)

  // agentKey (store.js) follows the agent, but not its presence: a
  // presence change re-reads nothing.
  store.on(['agent'], (s) => {
    const a = s.agent;
    const key = a ? [a.id, a.role, (a.permissions || []).join(',')].join('|') : '';
    if (key !== s.agentKey) { store.set({ agentKey: key }); }
  });

  let signedIn = null;
  // lastAgent: who was signed in on this page before (0: nobody). What
  // they left (unsent replies, an unsaved status, the ticket in the
  // address) is theirs: it waits for them after a session ended, and is
  // dropped when someone else signs in, so nothing of one agent's goes
  // out under another's name.
  let lastAgent = 0;
  store.on(['agent'], (s) => {
    if (s.agent && (!signedIn || signedIn.id !== s.agent.id)) {
      signedIn = s.agent;
      const someoneElse = lastAgent !== 0 && lastAgent !== s.agent.id;
      lastAgent = s.agent.id;
      if (someoneElse) {
        thread.forgetDrafts();
        unsent.forgetAll();
        details.forgetDraft();
        ticketFields.forgetAll();
        history.replaceState(null, '', location.pathname + location.search);
      }
      loadList();
      loadTargets(true);
      socket.start();
      const m = /^#ticket-(\d+)$/.exec(location.hash);
      if (m) { openTicket(Number(m[1])); }
    } else if (!s.agent && signedIn) {
      signedIn = null;
      socket.stop();
      $('console-announce').textContent = ''; // nothing of theirs is read to the next agent
      showAlert($('console-alert'), '', false); // nor shown
      store.set({
        tickets: [], listAt: '', listError: '', selectedId: 0, ticket: null, routing: null, unread: {}, slaMarks: {},
        targets: { agents: [], queues: [], available: true, loaded: false }, detailsOpen: false,
        ticketTags: {}, tagList: { tags: [], may_create: false, loaded: false }, wrapup: null, bulkSelected: [],
        wallboardMove: null, ticketLeft: null,
      });
    }
  });

  // Switching the language reloads the console: the open ticket comes
  // along in the address.
  document.querySelectorAll('a[hreflang]').forEach((a) => a.addEventListener('click', () => {
    a.href = a.href.split('#')[0] + location.hash;
  }));

  // A desktop notification's click, or an edited address, opens its ticket.
  window.addEventListener('hashchange', () => {
    const m = /^#ticket-(\d+)$/.exec(location.hash);
    if (m && store.get().agent) { openTicket(Number(m[1])); }
  });

  (async function start() {
    const res = await api.me();
    if (res.ok && res.data) {
      store.set({ channels: res.data.channels || [], agent: res.data.agent || res.data });
      return;
    }
    store.set({ agent: null, signedOut: '' });
    // The sign-in form is shown by session.js on the agent key; with no
    // agent before and after, show it once here.
    $('boot').hidden = true;
    $('login-view').hidden = false;
    $('login-email').focus();
  })();
}
