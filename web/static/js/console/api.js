// The console's calls to the JSON API, one function per endpoint. Each
// answers {ok, status, data} and never throws (a network failure is status
// 0). A 401 on any call means the session ended: the store is told, and
// the console goes back to the sign-in form.
import { request, t } from './ui.js';
import * as store from './store.js';

// A 401 means the agent's session ended, except one answering a call made
// before the latest sign-in or sign-out (an earlier session's: it must
// not sign out the agent who signed in since), and one that comes while
// the agent signs out (the server ends the session before its answer).
let session = 0;
let leaving = false;

async function call(method, url, body) {
  const mine = session;
  const res = await request(method, url, body);
  if (res.status === 401 && !leaving && mine === session && store.get().agent) {
    store.set({ agent: null, signedOut: t('console.session_expired') });
  }
  return res;
}

const ticketURL = (id) => '/api/v1/tickets/' + encodeURIComponent(id);

export const me = () => request('GET', '/api/v1/auth/me');
export function login(email, password) {
  session++;
  leaving = false;
  return request('POST', '/api/v1/auth/login', { email, password });
}
export function logout() {
  session++;
  leaving = true;
  return request('POST', '/api/v1/auth/logout');
}
export const setPresence = (presence) => call('PUT', '/api/v1/agents/me/presence', { presence });

export function listTickets(scope, status, filters) {
  const q = new URLSearchParams({ scope });
  if (status) { q.set('status', status); }
  Object.keys(filters || {}).forEach((k) => q.set(k, filters[k])); // search and views: more filters
  return call('GET', '/api/v1/tickets?' + q.toString());
}
export const getTicket = (id) => call('GET', ticketURL(id));
export const getRouting = (id) => call('GET', ticketURL(id) + '/routing');
export const reply = (id, body) => call('POST', ticketURL(id) + '/messages', body);
export const setStatus = (id, status) => call('PATCH', ticketURL(id), { status });
export const claim = (id) => call('POST', ticketURL(id) + '/claim');
export const release = (id, note) => call('POST', ticketURL(id) + '/release', { note });
export const transfer = (id, body) => call('POST', ticketURL(id) + '/transfer', body);
export const callBack = (id, to) => call('POST', ticketURL(id) + '/callback', { to });
export const markRead = (id) => call('POST', ticketURL(id) + '/read', {});
export const typing = (id, on) => call('POST', ticketURL(id) + '/typing', { on });
export const transferTargets = () => call('GET', '/api/v1/transfer-targets');
export const queueMetrics = () => call('GET', '/api/v1/queues/metrics');
export const slaReport = (days) => call('GET', '/api/v1/queues/sla?days=' + days);
// tags: tags, wrap-up codes, bulk actions (tags.js, bulk.js)
export const listTags = () => call('GET', '/api/v1/tags');
export const setTags = (id, tags) => call('PUT', ticketURL(id) + '/tags', { tags });
export const getWrapup = (id) => call('GET', ticketURL(id) + '/wrapup');
export const setWrapup = (id, code) => call('PUT', ticketURL(id) + '/wrapup', { code });
export const bulk = (body) => call('POST', '/api/v1/tickets/bulk', body);
export const createTag = (name) => call('POST', '/api/v1/tags', { name });
export const removeTag = (id) => call('DELETE', '/api/v1/tags/' + encodeURIComponent(id));
export const wrapupCodes = () => call('GET', '/api/v1/admin/wrapup-codes');
export const createWrapupCode = (body) => call('POST', '/api/v1/admin/wrapup-codes', body);
export const updateWrapupCode = (id, body) => call('PUT', '/api/v1/admin/wrapup-codes/' + encodeURIComponent(id), body);
export const setWrapupRule = (queueId, required) => call('PUT', '/api/v1/admin/wrapup-rules/' + encodeURIComponent(queueId), { required });
// probeSocket asks for the socket's address without upgrading: 404 means
// this server has no push socket, 401 that the session ended.
export const probeSocket = () => call('GET', '/api/v1/ws');
// Notes, notifications, canned replies and macros (notes.js, canned.js).
export const addNote = (id, body) => call('POST', ticketURL(id) + '/notes', { body });
export const mentionable = (id) => call('GET', ticketURL(id) + '/mentionable');
export const notifications = () => call('GET', '/api/v1/notifications?limit=30');
export const readNotifications = (body) => call('POST', '/api/v1/notifications/read', body);
// With a ticket, each reply carries its body filled for it (filled), as
// inserting it would write it.
export const cannedList = (ticketId) => call('GET', '/api/v1/canned-responses' + (ticketId ? '?ticket_id=' + encodeURIComponent(ticketId) : ''));
export const cannedUse = (cid, ticketId) => call('POST', '/api/v1/canned-responses/' + encodeURIComponent(cid) + '/use', { ticket_id: ticketId });
export const macros = () => call('GET', '/api/v1/macros');
export const applyMacro = (id, mid) => call('POST', ticketURL(id) + '/macros/' + encodeURIComponent(mid));
// The citizen's whole history (contact.js).
const contactURL = (id) => '/api/v1/contacts/' + encodeURIComponent(id);
export const getContact = (id) => call('GET', contactURL(id));
export const contactDuplicates = (id) => call('GET', contactURL(id) + '/duplicates');
export const addContactNote = (id, body) => call('POST', contactURL(id) + '/notes', { body });
export const mergeContacts = (id, from) => call('POST', contactURL(id) + '/merge', { from });
export const undoMerge = (mergeId) => call('POST', '/api/v1/contacts/merges/' + encodeURIComponent(mergeId) + '/undo');
// Search and views.
export const search = (q, offset) => call('GET', '/api/v1/search?' + new URLSearchParams({ q, offset: String(offset || 0) }).toString());
export const views = () => call('GET', '/api/v1/views');
export const viewCounts = () => call('GET', '/api/v1/views/counts');
export const createView = (body) => call('POST', '/api/v1/views', body);
export const deleteView = (id) => call('DELETE', '/api/v1/views/' + encodeURIComponent(id));

// Complaint lifecycle (lifecycle.js).
export const getComplaint = (id) => call('GET', ticketURL(id) + '/complaint');
export const complaintAction = (id, action, body) => call('POST', ticketURL(id) + '/complaint/' + encodeURIComponent(action), body || {});
export const adoptComplaint = (id, kind, category) => call('POST', ticketURL(id) + '/complaint', { kind, category });
export const complaintCategories = () => call('GET', '/api/v1/complaints/categories');
export const revealIdentity = (id, reason) => call('POST', ticketURL(id) + '/complaint-identity', { reason });
export const escalatedComplaints = () => call('GET', '/api/v1/complaints/escalated');
// Wallboard and admin screens (wallboard.js, admin*.js).
export const wallboard = () => call('GET', '/api/v1/wallboard');
export const setAgentState = (id, presence, reason) => call('PUT', '/api/v1/wallboard/agents/' + encodeURIComponent(id) + '/presence', { presence, reason });
export const moveTickets = (id, body) => call('POST', '/api/v1/wallboard/agents/' + encodeURIComponent(id) + '/move', body);
export const assignTicket = (id, agentId) => call('POST', ticketURL(id) + '/assign', { agent_id: agentId });
export const notReadyReasons = () => call('GET', '/api/v1/not-ready-reasons');
export const setMyState = (presence, reason) => call('PUT', '/api/v1/agents/me/state', { presence, reason });
export const adminCall = (method, path, body) => call(method, '/api/v1/admin/' + path, body);
export const createAgent = (body) => call('POST', '/api/v1/agents', body);
// More admin screens (adminextra.js) and the canned-reply screen (cannedadmin.js).
export const checkIVRMenu = (body) => call('POST', '/api/v1/ivr-menu/check', { body });
export const cannedSave = (id, body) => (id ? call('PUT', '/api/v1/canned-responses/' + encodeURIComponent(id), body) : call('POST', '/api/v1/canned-responses', body));
export const cannedDelete = (id) => call('DELETE', '/api/v1/canned-responses/' + encodeURIComponent(id));
export const macroDelete = (id) => call('DELETE', '/api/v1/macros/' + encodeURIComponent(id));
export const macroSave = (id, body) => (id ? call('PUT', '/api/v1/macros/' + encodeURIComponent(id), body) : call('POST', '/api/v1/macros', body));
