// The reply box on a phone: at rest it keeps to the mode switch, a
// one-line text box and Send, so the thread above keeps the screen. Files
// and macros wait behind one "more" button (a disclosure: aria-expanded,
// aria-controls naming both), which a laptop never shows; there they are
// always on screen (app.css). Chosen files and an error about them stay
// in sight either way. The button is only there when something is behind
// it: a note takes no files, and an agent may have no macros.
import * as store from './store.js';
import { $, t, el } from './ui.js';
import { isNoteMode } from './notes.js';

const narrow = window.matchMedia('(max-width: 899px)');
let toggle = null;

function setOpen(open) {
  if (!toggle) { return; }
  toggle.setAttribute('aria-expanded', String(open));
  // Open or shut is seen in its sign too, not only in its colour.
  toggle.firstChild.textContent = open ? '−' : '+';
  $('composer').classList.toggle('compose-open', open);
}

// reveal opens the drawer before a control in it takes the focus (a
// refused file names the attach button).
export function reveal() { setOpen(true); }

function render(s) {
  if (!toggle) { return; }
  const files = !isNoteMode();
  const macros = Array.isArray(s.macros) && s.macros.length > 0;
  toggle.hidden = !files && !macros;
}

export function mount() {
  const form = $('reply-form');
  toggle = el('button', { type: 'button', id: 'compose-more', 'class': 'btn btn-secondary compose-more',
    'aria-expanded': 'false', 'aria-controls': 'attach macro-row', title: t('composer.more') }, [
    el('span', { 'aria-hidden': 'true', text: '+' }),
    el('span', { 'class': 'visually-hidden', text: t('composer.more') }),
  ]);
  // Right after the mode switch, beside which it is drawn: the focus
  // meets it there too.
  $('compose-mode').after(toggle);
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  // Escape in the drawer closes it and gives the focus back to its button.
  form.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || !narrow.matches || toggle.getAttribute('aria-expanded') !== 'true') { return; }
    if (!ev.target.closest('#attach, #macro-row')) { return; }
    ev.preventDefault();
    setOpen(false);
    toggle.focus();
  });
  // Another ticket, or the reply or note sent, starts the reply box at rest.
  store.on(['selectedId', 'composeSent'], () => {
    const a = document.activeElement;
    if (!a || !a.closest('#attach, #macro-row')) { setOpen(false); }
  });
  store.on(['composeMode', 'replyAllowed', 'macros', 'selectedId'], render);
  render(store.get());
}
