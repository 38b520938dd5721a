// The board tab's table of contents: the tab holds one screen after
// another (queue board, ratings, complaints, agents' board, admin, tags,
// personal data, reports; each shown by its own module as the role
// allows), many screens long for an admin. A row of buttons at its top
// names the screens shown and takes the reader, and the focus, to one.
// Buttons, not links: the console's address names the open ticket.
import { $, t, el } from './ui.js';

const view = $('board-view');
const nav = $('board-nav');
const list = $('board-nav-list');

// sections are the screens of the tab that are shown, in order, with the
// heading each is labelled by.
function sections() {
  return [...view.children].filter((n) => n !== nav && !n.hidden).map((n) => {
    const id = n.id === 'board-queues' ? 'board-title' : n.getAttribute('aria-labelledby');
    return { node: n, heading: id ? $(id) : null };
  }).filter((s) => s.heading && s.heading.textContent.trim());
}

let drawn = '';
function draw() {
  const shown = sections();
  const key = shown.map((s) => s.heading.id + ':' + s.heading.textContent).join('|');
  if (key === drawn) { return; } // unchanged: the focus stays where it is
  drawn = key;
  list.textContent = '';
  shown.forEach((s) => {
    const b = el('button', { type: 'button', 'class': 'btn btn-link btn-small', 'data-to': s.heading.id, text: s.heading.textContent.trim() });
    list.appendChild(el('li', {}, [b]));
  });
  // One screen needs no table of contents.
  nav.hidden = shown.length < 2;
}

export function mount() {
  nav.setAttribute('aria-label', t('board.sections_label'));
  list.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-to]');
    const h = b && $(b.dataset.to);
    if (!h) { return; }
    if (!h.hasAttribute('tabindex')) { h.setAttribute('tabindex', '-1'); }
    h.scrollIntoView({ block: 'start' });
    h.focus({ preventScroll: true });
  });
  // The screens show and hide as the role, the permissions and the data
  // allow; their headings are written when they are drawn.
  let queued = false;
  const soon = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; draw(); }); } };
  new MutationObserver(soon).observe(view, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['hidden'] });
  draw();
}
