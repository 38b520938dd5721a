// Launcher: the citizens' front door on any allowed site. One script tag:
//
//   <script src="https://<server>/launcher.js" data-lang="id-ID" defer></script>
//
// It shows a button; opened, the panel greets in the program's words and
// lists every configured channel with whether it is open now and what to
// expect (GET /launcher/menu.json, the same menu as the landing page at /).
// Live chat opens in place: the chat widget is loaded from the same server
// when first asked for, without its own button. Text is only ever set as
// text, never as HTML; colours come from the brand's stylesheet.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.__tanggapLauncher) { return; }
  window.__tanggapLauncher = true;
  var base = new URL(script.src, location.href).origin;
  var KEY_LANG = 'tanggap.chat.lang'; // one language choice with the chat widget
  var SVG = 'http://www.w3.org/2000/svg';

  function sget(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function sset(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }

  var lang = sget(KEY_LANG) || script.getAttribute('data-lang') || 'id-ID';
  var menu = null;
  var brandCSS = '';

  function t(key) { return (menu && menu.texts && menu.texts[key]) || ''; }
  function url(p) { return new URL(p, base).href; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    return e;
  }

  function stylesheet(href) {
    var l = document.createElement('link');
    l.rel = 'stylesheet';
    l.href = href;
    document.head.appendChild(l);
    return l;
  }
  stylesheet(base + '/static/css/launcher.css');

  // ---- DOM ---------------------------------------------------------------
  var root = el('div', 'tgl tgl-float');
  root.id = 'tgl';
  var button = el('button', 'tgl-button');
  button.type = 'button';
  button.id = 'tgl-button';
  button.hidden = true; // until the menu is known
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'tgl-panel');
  var buttonLogo = el('img');
  buttonLogo.alt = '';
  var buttonText = el('span');
  button.appendChild(buttonLogo);
  button.appendChild(buttonText);

  var panel = el('section', 'tgl-panel');
  panel.id = 'tgl-panel';
  panel.hidden = true;
  panel.setAttribute('aria-labelledby', 'tgl-greeting');
  var head = el('div', 'tgl-head');
  var hello = el('div', 'tgl-hello');
  var logo = el('img', 'tgl-logo');
  logo.alt = '';
  var helloText = el('div');
  var name = el('p', 'tgl-name');
  var greeting = el('h2', 'tgl-greeting');
  greeting.id = 'tgl-greeting';
  helloText.appendChild(name);
  helloText.appendChild(greeting);
  hello.appendChild(logo);
  hello.appendChild(helloText);
  var tools = el('div', 'tgl-tools');
  var langBtn = el('button', 'tgl-tool');
  langBtn.type = 'button';
  langBtn.id = 'tgl-lang';
  var closeBtn = el('button', 'tgl-tool tgl-close', '\u00d7');
  closeBtn.type = 'button';
  closeBtn.id = 'tgl-close';
  tools.appendChild(langBtn);
  tools.appendChild(closeBtn);
  head.appendChild(hello);
  head.appendChild(tools);
  var scroll = el('div', 'tgl-scroll');
  var list = el('ul', 'tgl-menu');
  list.id = 'tgl-menu';
  list.setAttribute('aria-labelledby', 'tgl-greeting');
  scroll.appendChild(list);
  var foot = el('div', 'tgl-foot');
  panel.appendChild(head);
  panel.appendChild(scroll);
  panel.appendChild(foot);
  root.appendChild(panel);
  root.appendChild(button);

  function icon(d) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'tgl-icon');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d || '');
    svg.appendChild(path);
    return svg;
  }

  // A link that opens a new tab says so to a screen reader.
  function markNewPage(a) {
    a.target = '_blank';
    a.rel = 'noopener';
    a.appendChild(el('span', 'tgl-sr', ' ' + t('launcher.new_page')));
    return a;
  }
  function newPageLink(text, href) {
    var a = el('a', '', text);
    a.href = href;
    return markNewPage(a);
  }

  function entry(e) {
    var li = el('li', 'tgl-item tgl-' + e.kind + ' tgl-is-' + e.state);
    li.setAttribute('data-kind', e.kind);
    li.setAttribute('data-state', e.state);
    li.appendChild(icon(e.icon));
    var body = el('div', 'tgl-body');
    var a = el('a', 'tgl-link');
    a.href = /^(tel:|https?:)/.test(e.href) ? e.href : url(e.href);
    a.appendChild(el('span', 'tgl-label', e.label));
    if (e.detail) { a.appendChild(document.createTextNode(' ')); a.appendChild(el('span', 'tgl-detail', e.detail)); }
    var stateID = 'tgl-' + e.kind + '-state';
    var expectID = 'tgl-' + e.kind + '-expect';
    a.setAttribute('aria-describedby', stateID + ' ' + expectID);
    if (e.kind === 'livechat') {
      a.addEventListener('click', function (ev) { ev.preventDefault(); openChat(); });
    } else if (e.new_page) {
      markNewPage(a);
    }
    body.appendChild(a);
    if (e.free) { body.appendChild(el('span', 'tgl-free', e.free_text)); }
    var state = el('p', 'tgl-state');
    state.id = stateID;
    var dot = el('span', 'tgl-dot');
    dot.setAttribute('aria-hidden', 'true');
    state.appendChild(dot);
    state.appendChild(document.createTextNode(e.state_text + (e.opens_text ? '. ' + e.opens_text : '')));
    body.appendChild(state);
    var expect = el('p', 'tgl-expect', e.expect);
    expect.id = expectID;
    body.appendChild(expect);
    li.appendChild(body);
    return li;
  }

  // renderEntries rebuilds the entries when they changed (a state, the
  // language); the focus stays on the same entry.
  var shown = '';
  function renderEntries() {
    var now = JSON.stringify(menu.entries);
    if (now === shown) { return; }
    shown = now;
    var active = document.activeElement;
    var kept = active && list.contains(active) ? active.closest('li').getAttribute('data-kind') : '';
    list.textContent = '';
    menu.entries.forEach(function (e) { list.appendChild(entry(e)); });
    var again = kept && list.querySelector('li[data-kind="' + kept + '"] a');
    if (again) { again.focus(); }
  }

  function render() {
    root.setAttribute('lang', menu.lang);
    buttonLogo.src = url(menu.logo);
    logo.src = url(menu.logo);
    buttonText.textContent = t('launcher.button');
    name.textContent = menu.short_name;
    greeting.textContent = menu.greeting;
    var other = Object.keys(menu.languages).filter(function (l) { return l !== menu.lang; })[0];
    langBtn.hidden = !other;
    // The visible word is the other language's own name, in that
    // language; the accessible name contains it (label in name).
    langBtn.textContent = '';
    langBtn.appendChild(el('span', '', t('launcher.lang_switch')));
    langBtn.firstChild.setAttribute('lang', other || menu.lang);
    langBtn.setAttribute('aria-label', t('launcher.lang_switch_label'));
    langBtn.setAttribute('data-to', other || '');
    closeBtn.setAttribute('aria-label', t('launcher.close'));
    renderEntries();
    foot.textContent = '';
    var landing = newPageLink(t('launcher.landing_link'), url(menu.landing));
    foot.appendChild(landing);
    if (menu.privacy_url) {
      var privacy = newPageLink(t('brand.privacy'), url(menu.privacy_url));
      privacy.id = 'tgl-privacy';
      foot.appendChild(privacy);
    }
    button.hidden = false;
  }

  // load reads the menu (again on every opening: open and closed follow
  // the clock).
  function load() {
    return fetch(base + '/launcher/menu.json?lang=' + encodeURIComponent(lang))
      .then(function (r) {
        if (!r.ok) { throw new Error('menu ' + r.status); }
        return r.json();
      })
      .then(function (m) {
        menu = m;
        lang = m.lang;
        if (m.brand_css !== brandCSS) { brandCSS = m.brand_css; stylesheet(url(m.brand_css)); }
        render();
      });
  }

  // ---- open / close ----------------------------------------------------------
  function setOpen(open, keepFocus) {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    root.classList.toggle('tgl-open', open);
    if (open) {
      if (window.tanggapChat) { window.tanggapChat.close(); }
      var first = list.querySelector('a');
      if (first) { first.focus(); }
    } else if (!keepFocus) {
      button.focus();
    }
  }
  button.addEventListener('click', function () {
    if (!panel.hidden) { setOpen(false); return; }
    setOpen(true);
    load().catch(function () { /* the menu shown stays */ });
  });
  closeBtn.addEventListener('click', function () { setOpen(false); });
  root.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && !panel.hidden) { setOpen(false); }
  });
  langBtn.addEventListener('click', function () {
    lang = langBtn.getAttribute('data-to') || lang;
    sset(KEY_LANG, lang);
    load().then(function () { langBtn.focus(); }).catch(function () { /* keep the shown menu */ });
  });

  // openChat shows the chat widget in place of the menu. The widget is
  // loaded once, opened at once, without a button of its own; closing it
  // brings the focus back to the launcher's button.
  function openChat() {
    setOpen(false, true);
    root.classList.add('tgl-chat-open');
    if (window.tanggapChat) { window.tanggapChat.open(); return; }
    var s = document.createElement('script');
    s.src = url(menu.chat_script);
    s.setAttribute('data-lang', lang);
    s.setAttribute('data-open', '');
    s.setAttribute('data-launcher', 'none');
    document.body.appendChild(s);
  }
  document.addEventListener('tanggap:chat-closed', function () {
    root.classList.remove('tgl-chat-open');
    button.focus();
  });

  function start() {
    document.body.appendChild(root);
    load().catch(function () { /* no menu: no button, the site stays as it is */ });
  }
  if (document.body) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
}());
