// Small settings of the console kept with the agent they belong to: in
// this tab's sessionStorage while the agent is signed in, so they survive
// a reload (F5), and in the page's memory, so the same agent signing in
// again after a sign-out or an expired session finds them. An agent who
// signs in on the tab afterwards does not get them. Storage that is off or
// full keeps them for the page only.
const mem = new Map(); // key + ' ' + agent id → value

export function keep(key, agentId, value) {
  mem.set(key + ' ' + agentId, value);
  try { sessionStorage.setItem(key, JSON.stringify({ agent: agentId, value })); } catch (e) { /* this page only */ }
}

// kept is what keep stored under key for agentId, or undefined.
export function kept(key, agentId) {
  let k = null;
  try { k = JSON.parse(sessionStorage.getItem(key) || 'null'); } catch (e) { /* memory only */ }
  return k && k.agent === agentId ? k.value : mem.get(key + ' ' + agentId);
}

// forget takes key out of the tab's storage when the agent signs out:
// the tab keeps nothing of theirs for whoever uses the browser next.
export function forget(key) {
  try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
}
