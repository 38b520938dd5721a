// Live-chat widget. One script tag embeds it on any allowed site:
//
//   <script src="https://<server>/static/js/livechat-widget.js" data-lang="id-ID" defer></script>
//
// It talks to the server it was loaded from (websocket /livechat/ws, see
// channels/livechat/PROTOCOL.md). Text is only ever inserted as text, never
// as HTML. The visitor token lives in localStorage, so a reload keeps the
// conversation; unsent messages wait in localStorage too and are sent
// again (same client id) until the server acknowledges them.
//
// On a page with an element #tgc-page (the server's own /chat page) the
// widget opens inside that element, full page, in the page's language.
// One step at a time: the optional pre-chat form first, then the
// conversation.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.__tanggapChat) { return; }
  window.__tanggapChat = true;
  var base = new URL(script.src, location.href).origin;
  var KEY_TOKEN = 'tanggap.chat.token';
  var KEY_OUTBOX = 'tanggap.chat.outbox';
  var KEY_LANG = 'tanggap.chat.lang';
  var KEY_PRECHAT = 'tanggap.chat.prechat';
  // The tracking numbers (space-separated, the latest last) of the
  // conversations that started with a phone or email on file: only those
  // tickets can be found on the status page.
  var KEY_CONTACT_TN = 'tanggap.chat.contact_tn';
  // And those that started without one, as this browser saw them start:
  // only of these does the chat's end say the status page cannot find
  // them (of a conversation it did not see start it says nothing).
  var KEY_NO_CONTACT_TN = 'tanggap.chat.no_contact_tn';
  var host = document.getElementById('tgc-page');
  // The chat page's line saying what to do next (give a phone or email,
  // then write) holds only while the pre-chat form is shown.
  var pageStep = host && document.querySelector('.chat-next');
  // Opened by the launcher (/launcher.js): no button of its own; closing
  // hands the focus back to the launcher.
  var external = script.getAttribute('data-launcher') === 'none';

  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  };

  var lang = (!host && store.get(KEY_LANG)) || script.getAttribute('data-lang') ||
    document.documentElement.getAttribute('data-lang') || 'id-ID';
  var texts = {};
  var languages = {};
  var limits = { max_text: 4000, max_files: 5, max_file_bytes: 5 << 20, file_types: ['image/jpeg', 'image/png', 'application/pdf'] };

  function t(key, args) {
    var s = texts[key] || key;
    if (args) {
      Object.keys(args).forEach(function (k) { s = s.split('{' + k + '}').join(String(args[k])); });
    }
    return s;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    return e;
  }

  // ---- DOM ---------------------------------------------------------------
  var css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = base + '/static/css/livechat.css';
  document.head.appendChild(css);
  var brandCSS = document.createElement('link'); // the program's colours
  brandCSS.rel = 'stylesheet';
  brandCSS.href = base + '/brand.css';
  document.head.appendChild(brandCSS);

  var root = el('div', host ? 'tgc tgc-inpage' : 'tgc');
  root.setAttribute('lang', lang);
  var launcher = el('button', 'tgc-launcher');
  launcher.type = 'button';
  launcher.id = 'tgc-launcher';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'tgc-panel');
  var panel = el('section', 'tgc-panel');
  panel.id = 'tgc-panel';
  panel.hidden = true;
  panel.setAttribute('aria-labelledby', 'tgc-title');

  var header = el('header', 'tgc-header');
  var title = el('h2', 'tgc-title');
  title.id = 'tgc-title';
  var headerSub = el('p', 'tgc-sub');
  headerSub.id = 'tgc-sub';
  var langBtn = el('button', 'tgc-lang');
  langBtn.type = 'button';
  langBtn.id = 'tgc-lang';
  var closeBtn = el('button', 'tgc-close', '\u00d7');
  closeBtn.type = 'button';
  var headText = el('div', 'tgc-headtext');
  var brandLine = el('p', 'tgc-brand');
  brandLine.id = 'tgc-brand';
  brandLine.hidden = true;
  headText.appendChild(brandLine);
  headText.appendChild(title);
  headText.appendChild(headerSub);
  header.appendChild(headText);
  header.appendChild(langBtn);
  header.appendChild(closeBtn);

  var status = el('p', 'tgc-status');
  status.id = 'tgc-status';
  status.setAttribute('role', 'status');
  // The queue box is built once; a queue frame (one at least every 15 s)
  // changes only the text that differs, so the live region says only
  // what changed and the "give contact" button keeps the focus.
  var queue = el('div', 'tgc-queue');
  queue.id = 'tgc-queue';
  queue.setAttribute('aria-live', 'polite');
  queue.hidden = true;
  var queueLine = el('p', 'tgc-queue-line');
  queueLine.id = 'tgc-queue-line';
  var queueHint = el('p', 'tgc-hint');
  var giveContact = el('button', 'tgc-linkbtn');
  giveContact.type = 'button';
  giveContact.id = 'tgc-give-contact';
  queue.appendChild(queueLine);
  queue.appendChild(queueHint);

  var log = el('ol', 'tgc-log');
  log.id = 'tgc-log';
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.tabIndex = 0;

  var typing = el('p', 'tgc-typing');
  typing.id = 'tgc-typing';
  typing.setAttribute('aria-live', 'polite');
  typing.hidden = true;

  var newBtn = el('button', 'tgc-new');
  newBtn.type = 'button';
  newBtn.id = 'tgc-new';
  newBtn.hidden = true;

  // Pre-chat form (optional).
  var pre = el('form', 'tgc-prechat');
  pre.hidden = true;
  pre.id = 'tgc-prechat';
  pre.noValidate = true;
  var preTitle = el('h3', 'tgc-prechat-title');
  var preHint = el('p', 'tgc-hint');
  preHint.id = 'tgc-prechat-hint';
  function field(id, type, auto) {
    var wrap = el('div', 'tgc-field');
    var label = el('label');
    label.htmlFor = id;
    var input = el('input');
    input.id = id;
    input.type = type;
    input.autocomplete = auto;
    input.maxLength = type === 'email' ? 254 : 200;
    var err = el('p', 'tgc-error');
    err.id = id + '-error';
    err.hidden = true;
    input.setAttribute('aria-describedby', 'tgc-prechat-hint ' + err.id);
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(err);
    return { wrap: wrap, label: label, input: input, err: err };
  }
  var fName = field('tgc-name', 'text', 'name');
  var fPhone = field('tgc-phone', 'tel', 'tel');
  fPhone.input.inputMode = 'tel';
  var fEmail = field('tgc-email', 'email', 'email');
  var preSave = el('button', 'tgc-btn');
  preSave.type = 'submit';
  var preSkip = el('button', 'tgc-btn tgc-btn-plain');
  preSkip.type = 'button';
  var preButtons = el('div', 'tgc-row');
  preButtons.appendChild(preSave);
  preButtons.appendChild(preSkip);
  [preTitle, preHint, fName.wrap, fPhone.wrap, fEmail.wrap, preButtons].forEach(function (n) { pre.appendChild(n); });

  // Composer.
  var form = el('form', 'tgc-composer');
  form.id = 'tgc-form';
  var msgLabel = el('label', 'tgc-sr');
  msgLabel.htmlFor = 'tgc-text';
  var text = el('textarea', 'tgc-text');
  text.id = 'tgc-text';
  text.rows = 2;
  text.maxLength = limits.max_text;
  var fileLabel = el('label', 'tgc-attach');
  fileLabel.htmlFor = 'tgc-file';
  var fileLabelText = el('span', 'tgc-sr');
  fileLabel.appendChild(el('span', 'tgc-clip', '+'));
  fileLabel.appendChild(fileLabelText);
  var file = el('input', 'tgc-file');
  file.id = 'tgc-file';
  file.type = 'file';
  file.accept = limits.file_types.join(',');
  var send = el('button', 'tgc-send');
  send.type = 'submit';
  send.id = 'tgc-send';
  var formError = el('p', 'tgc-error');
  formError.id = 'tgc-form-error';
  formError.setAttribute('role', 'alert');
  formError.hidden = true;
  [msgLabel, text, fileLabel, file, send].forEach(function (n) { form.appendChild(n); });
  // Files chosen and uploaded, waiting for Send (with the text, if any):
  // a file picked by mistake is taken out before it goes, not sent at once.
  var pendingList = el('ul', 'tgc-pending');
  pendingList.id = 'tgc-pending';
  pendingList.hidden = true;
  // What happened to a chosen file, for screen readers.
  var fileLive = el('p', 'tgc-sr');
  fileLive.id = 'tgc-file-live';
  fileLive.setAttribute('role', 'status');
  function announce(said) {
    fileLive.textContent = '';
    setTimeout(function () { fileLive.textContent = said; }, 50);
  }

  // showCard shows or hides the rating card; the panel grows while it is
  // shown (tgc-rating), so its buttons are in view under the conversation
  // instead of inside the card's own scroll.
  function showCard(on) {
    csat.hidden = !on;
    panel.classList.toggle('tgc-rating', on);
  }

  // Rating card (csat): shown once per solve, when a "csat" entry comes
  // (live, or in the replay of a widget opened later); a "rated" entry
  // closes it in every tab. Radio buttons with their words, never colour
  // alone; the comment is optional.
  var csat = el('section', 'tgc-csat');
  csat.id = 'tgc-csat';
  csat.hidden = true;
  csat.tabIndex = -1;
  csat.setAttribute('aria-labelledby', 'tgc-csat-title');
  var csatTitle = el('h3', 'tgc-csat-title');
  csatTitle.id = 'tgc-csat-title';
  var csatIntro = el('p', 'tgc-hint');
  csatIntro.id = 'tgc-csat-intro';
  var csatForm = el('form', 'tgc-csat-form');
  csatForm.id = 'tgc-csat-form';
  csatForm.noValidate = true;
  var csatSet = el('fieldset', 'tgc-csat-scale');
  var csatLegend = el('legend', 'tgc-csat-legend');
  csatSet.appendChild(csatLegend);
  var csatWords = [];
  for (var r = 1; r <= 5; r++) {
    var choice = el('label', 'tgc-csat-choice');
    var radio = el('input');
    radio.type = 'radio';
    radio.name = 'tgc-rating';
    radio.value = String(r);
    radio.id = 'tgc-rating-' + r;
    radio.setAttribute('aria-describedby', 'tgc-csat-error');
    var words = el('span');
    choice.appendChild(radio);
    choice.appendChild(words);
    csatSet.appendChild(choice);
    csatWords.push(words);
  }
  var csatError = el('p', 'tgc-error');
  csatError.id = 'tgc-csat-error';
  csatError.setAttribute('role', 'alert');
  csatError.hidden = true;
  var csatCommentLabel = el('label', 'tgc-csat-label');
  csatCommentLabel.htmlFor = 'tgc-csat-comment';
  var csatComment = el('textarea', 'tgc-text tgc-csat-comment');
  csatComment.id = 'tgc-csat-comment';
  csatComment.rows = 2;
  csatComment.maxLength = 1000;
  var csatSend = el('button', 'tgc-btn');
  csatSend.type = 'submit';
  csatSend.id = 'tgc-csat-send';
  var csatLater = el('button', 'tgc-btn tgc-btn-plain');
  csatLater.type = 'button';
  csatLater.id = 'tgc-csat-later';
  var csatButtons = el('div', 'tgc-row');
  csatButtons.appendChild(csatSend);
  csatButtons.appendChild(csatLater);
  [csatSet, csatError, csatCommentLabel, csatComment, csatButtons].forEach(function (n) { csatForm.appendChild(n); });
  var csatStatus = el('p', 'tgc-csat-status');
  csatStatus.id = 'tgc-csat-status';
  csatStatus.setAttribute('role', 'status');
  // After the rating: the rating given, in the words of the scale.
  var csatGiven = el('p', 'tgc-csat-given');
  csatGiven.id = 'tgc-csat-given';
  csatGiven.hidden = true;
  [csatTitle, csatIntro, csatForm, csatStatus, csatGiven].forEach(function (n) { csat.appendChild(n); });

  [header, status, queue, pre, log, typing, csat, newBtn, formError, pendingList, fileLive, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(panel);
  if (host) {
    langBtn.hidden = true;   // the page has its own language switch
    closeBtn.hidden = true;
  } else if (!external) {
    root.appendChild(launcher);
  }

  // step shows either the pre-chat form or the conversation, never both.
  // later: the form was asked for in the conversation ("add your
  // contact"): it reads so, and its second button goes back to it.
  var preLater = false;
  function showPrechat(on, later) {
    preLater = !!(on && later);
    renderPreTexts();
    if (pageStep) { pageStep.hidden = !on || preLater; }
    pre.hidden = !on;
    log.hidden = on;
    form.hidden = on;
    if (on) { newBtn.hidden = true; }
  }
  function focusStep() {
    if (!pre.hidden) { fName.input.focus(); } else { text.focus(); }
  }

  // trackingNode shows a tracking number so that it wraps only between
  // its digit groups (each group cannot break); its text stays the number.
  function trackingNode(tn) {
    var wrap = el('span', 'tgc-tn');
    String(tn).split('-').forEach(function (g, i, all) {
      if (i > 0) { wrap.appendChild(document.createElement('wbr')); }
      wrap.appendChild(el('span', 'tgc-tn-group', g + (i < all.length - 1 ? '-' : '')));
    });
    return wrap;
  }

  // clock is HH:MM of an ISO time (or a Date) in the visitor's language
  // and time zone.
  function clock(at) {
    var d = at ? new Date(at) : new Date();
    if (isNaN(d.getTime())) { return ''; }
    // As the pages' dates and times read ("3:42 PM", "15.42").
    try { return d.toLocaleTimeString(lang, { timeStyle: 'short' }); } catch (e) { return ''; }
  }

  function renderTexts() {
    root.setAttribute('lang', lang);
    launcher.textContent = t('livechat.launcher');
    title.textContent = t('livechat.title');
    closeBtn.setAttribute('aria-label', t('livechat.close'));
    // The visible word is the other language's own name, in that
    // language; the accessible name contains it (label in name).
    langBtn.textContent = '';
    var word = el('span', '', t('livechat.lang_switch'));
    word.setAttribute('lang', otherLang() || lang);
    langBtn.appendChild(word);
    langBtn.setAttribute('aria-label', t('livechat.lang_switch_label'));
    log.setAttribute('aria-label', t('livechat.messages_label'));
    renderPreTexts();
    fName.label.textContent = t('livechat.name');
    fPhone.label.textContent = t('livechat.phone');
    fEmail.label.textContent = t('livechat.email');
    preSave.textContent = t('livechat.prechat_save');
    msgLabel.textContent = t('livechat.message_label');
    text.placeholder = t('livechat.placeholder');
    fileLabelText.textContent = t('livechat.attach');
    fileLabel.title = t('livechat.attach');
    send.textContent = t('livechat.send');
    newBtn.textContent = t('livechat.new_conversation');
    renderSurvey();
    renderHeader();
    renderStatus();
    renderQueue();
    Array.prototype.forEach.call(log.querySelectorAll('[data-text-key]'), function (n) {
      n.textContent = t(n.getAttribute('data-text-key'), JSON.parse(n.getAttribute('data-text-args') || 'null'));
    });
    Array.prototype.forEach.call(log.querySelectorAll('.tgc-mine'), renderMark);
    Array.prototype.forEach.call(log.querySelectorAll('time.tgc-time'), function (n) {
      n.textContent = clock(n.getAttribute('datetime'));
    });
  }

  // loadHours reads whether the chat is open now from the launcher's
  // menu (GET /launcher/menu.json: the default queue's calendar, or
  // officers online after hours; the same entry the chat page and the
  // launcher show), in the widget's language.
  // While the chat is closed and the panel open it is read again every
  // minute, so the notice goes once the chat opens; a failed read takes the
  // notice away rather than leave one that may be stale.
  var hoursTimer = 0;
  function loadHours() {
    if (host) { return; }
    clearTimeout(hoursTimer);
    hoursTimer = 0;
    var asked = lang;
    fetch(base + '/launcher/menu.json?lang=' + encodeURIComponent(asked))
      .then(function (r) { if (!r.ok) { throw new Error('menu ' + r.status); } return r.json(); })
      .then(function (m) {
        if (asked !== lang) { return; } // the language changed meanwhile
        var e = (m.entries || []).filter(function (x) { return x.kind === 'livechat'; })[0];
        closedNow = e && e.state === 'closed' ? e : null;
        renderQueue();
        if (closedNow && !panel.hidden && !hoursTimer) { hoursTimer = setTimeout(loadHours, 60000); }
      })
      .catch(function () {
        if (asked === lang && closedNow) { closedNow = null; renderQueue(); }
      });
  }

  function loadConfig() {
    return fetch(base + '/livechat/config.json?lang=' + encodeURIComponent(lang))
      .then(function (r) { return r.json(); })
      .then(function (c) {
        texts = c.texts || {};
        languages = c.languages || {};
        lang = c.lang || lang;
        if (c.limits) { limits = c.limits; }
        file.accept = limits.file_types.join(',');
        renderBrand(c.brand || {});
        renderTexts();
      });
  }

  // renderBrand names the program above the title (not on /chat, whose
  // page header does).
  function renderBrand(b) {
    brandLine.textContent = '';
    brandLine.hidden = !b.name || !!host;
    if (brandLine.hidden) { return; }
    if (b.logo) {
      var img = el('img', 'tgc-logo');
      img.alt = '';
      img.src = base + b.logo;
      brandLine.appendChild(img);
    }
    brandLine.appendChild(document.createTextNode(b.name));
  }

  // ---- state -------------------------------------------------------------
  var ws = null;
  var token = store.get(KEY_TOKEN) || '';
  var lastSeq = 0;          // highest contiguous seq shown
  var syncing = false;      // a replay is under way
  var welcomed = false;
  var conv = { tn: '', state: 'none', agent: '' };
  var queueInfo = null;
  // The chat's entry of the launcher's menu while the chat is closed
  // (state, when it opens again, what still works), said before the
  // visitor writes; null while open or unknown.
  var closedNow = null;
  var connState = 'connecting';
  var retryIn = 0;
  var attempt = 0;
  var pingTimer = null;
  var pongTimer = null;
  var typingTimer = null;
  var lastTypingSent = 0;
  var typingOn = false;
  var outbox = [];
  try { outbox = JSON.parse(store.get(KEY_OUTBOX) || '[]') || []; } catch (e) { outbox = []; }

  function saveOutbox() { store.set(KEY_OUTBOX, JSON.stringify(outbox)); }

  function sendFrame(f) {
    f.v = 1;
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(f));
      return true;
    }
    return false;
  }

  function newCID() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  // ---- rendering -----------------------------------------------------------
  function renderHeader() {
    headerSub.textContent = '';
    if (conv.agent) { headerSub.appendChild(el('span', 'tgc-agent', conv.agent)); }
    if (conv.tn && conv.state !== 'none') {
      if (conv.agent) { headerSub.appendChild(document.createTextNode(' \u00b7 ')); }
      var label = t('livechat.ticket', { tn: '\u0000' }).split('\u0000');
      var line = el('span', 'tgc-ticket');
      line.appendChild(document.createTextNode(label[0] || ''));
      line.appendChild(trackingNode(conv.tn));
      line.appendChild(document.createTextNode(label[1] || ''));
      headerSub.appendChild(line);
    }
  }

  // The pre-chat form's texts: asked for mid-conversation it is named
  // for adding a contact, and its second button cancels.
  function renderPreTexts() {
    preTitle.textContent = t(preLater ? 'livechat.add_contact_title' : 'livechat.prechat_title');
    preSkip.textContent = t(preLater ? 'livechat.add_contact_cancel' : 'livechat.prechat_skip');
    renderPreHint();
  }

  // contactOn: the status page can find the ticket of the conversation
  // with that tracking number (a phone or email was on file when its
  // first message opened it); contactOnTicket: of this conversation.
  // listed: tn is among key's tracking numbers (the latest 20 kept).
  function listed(key, tn) { return !!tn && (store.get(key) || '').split(' ').indexOf(tn) >= 0; }
  function markIn(key, tn) {
    if (listed(key, tn)) { return; }
    store.set(key, (store.get(key) || '').split(' ').filter(Boolean).concat(tn).slice(-20).join(' '));
  }
  function contactOnTicket() { return listed(KEY_CONTACT_TN, conv.tn); }
  // A contact given once the conversation has its ticket reaches the
  // officer, but the status page finds only tickets a contact came with:
  // from the next conversation on. Before the first message the
  // conversation has its tracking number already (the welcome names it)
  // but no ticket yet: a contact given then comes with the ticket.
  function renderPreHint() {
    var opened = conv && conv.tn && conv.state !== 'none';
    preHint.textContent = t(opened && !contactOnTicket() ? 'livechat.prechat_hint_later' : 'livechat.prechat_hint');
  }
  function hasContact() { return store.get(KEY_PRECHAT) === 'contact'; }

  function renderStatus() {
    var s = '';
    if (connState === 'connecting') { s = t('livechat.status_connecting'); }
    if (connState === 'retry') { s = t('livechat.status_retry', { seconds: retryIn }); }
    if (connState === 'offline') { s = t('livechat.status_offline'); }
    if (connState === 'open') { s = t('livechat.status_connected'); }
    status.textContent = s;
    status.className = 'tgc-status tgc-status-' + connState;
  }

  // setText changes a node's text only when it differs: setting the same
  // text again would be read out again in a live region.
  function setText(n, s) { if (n.textContent !== s) { n.textContent = s; } }

  // The sentence of the queue frame saying when the ticket's queue opens
  // again, in the widget's language (the server words it in each).
  function opensText(q) {
    var o = q.opens || {};
    return o[lang] || o['id-ID'] || '';
  }

  function hideQueue() {
    queue.hidden = true;
    setText(queueLine, ''); // shown again, the line is news again
    text.removeAttribute('aria-describedby');
    panel.classList.remove('tgc-noticed');
  }
  // showQueue shows the box; the floating panel grows by about its
  // height, so the pre-chat form's buttons stay in view under it.
  function showQueue() {
    queue.hidden = false;
    panel.classList.add('tgc-noticed');
  }

  // Before the visitor writes, a closed chat says so up front with when
  // it opens again, in the chat page's words (not on the chat page: the
  // page says it above the widget). The message box is described by it.
  function renderClosedNow() {
    setText(queueLine, closedNow.notice);
    queueHint.hidden = true;
    if (giveContact.parentNode) { giveContact.parentNode.removeChild(giveContact); }
    text.setAttribute('aria-describedby', queueLine.id);
    showQueue();
  }

  function renderQueue() {
    var q = queueInfo;
    if (conv.state !== 'open' && closedNow) { renderClosedNow(); return; }
    if (!q || conv.state !== 'open' || q.assigned || q.tn !== conv.tn) { hideQueue(); return; }
    text.removeAttribute('aria-describedby');
    var line;
    if (!q.open) { line = t('livechat.closed_hours', { tn: q.tn, opens: opensText(q) }).replace(/\s+/g, ' ').trim(); }
    else if (q.agents_online === 0) { line = t('livechat.no_agent', { tn: q.tn }); }
    else if (q.position <= 1) { line = t('livechat.queue_next'); }
    else { line = t('livechat.queue_position', { position: q.position, minutes: Math.max(1, Math.round(q.wait_s / 60)) }); }
    setText(queueLine, line);
    var stuck = !q.open || q.agents_online === 0;
    // Say only what works: the status page finds the ticket only when a
    // phone or email came with it.
    queueHint.hidden = !stuck;
    if (stuck) { setText(queueHint, t(contactOnTicket() ? 'livechat.answer_status' : 'livechat.answer_here')); }
    // The button is in the box only while it is offered (once a contact
    // is given there is nothing to ask); it is the same button each time.
    setText(giveContact, t('livechat.give_contact'));
    var offer = stuck && !hasContact();
    if (offer && giveContact.parentNode !== queue) { queue.appendChild(giveContact); }
    if (!offer && giveContact.parentNode) { giveContact.parentNode.removeChild(giveContact); }
    showQueue();
  }
  giveContact.addEventListener('click', function () { showPrechat(true, true); focusStep(); });

  function system(key, args) {
    var li = el('li', 'tgc-system');
    li.setAttribute('data-text-key', key);
    if (args) { li.setAttribute('data-text-args', JSON.stringify(args)); }
    li.textContent = t(key, args);
    log.appendChild(li);
    scroll();
  }

  function scroll() { log.scrollTop = log.scrollHeight; }
  // The log keeps its end in view while the room around it changes (the
  // rating card opens or closes, the "new conversation" button comes, the
  // page is resized): at its end it stays there; scrolled up by the
  // visitor, it stays where they left it.
  var logAtEnd = true;
  log.addEventListener('scroll', function () { logAtEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4; });
  if (window.ResizeObserver) { new ResizeObserver(function () { if (logAtEnd) { scroll(); } }).observe(log); }

  // ---- rating card -----------------------------------------------------------
  var RATING_KEYS = ['livechat.csat_rating_1', 'livechat.csat_rating_2', 'livechat.csat_rating_3', 'livechat.csat_rating_4', 'livechat.csat_rating_5'];
  var survey = null; // {token, tn, state: 'open'|'sending'|'thanks'|'already'|'closed'}

  function renderSurvey() {
    csatTitle.textContent = t('livechat.csat_title');
    csatLegend.textContent = t('livechat.csat_question');
    csatWords.forEach(function (w, i) { w.textContent = (i + 1) + ' \u00b7 ' + t(RATING_KEYS[i]); });
    csatCommentLabel.textContent = t('livechat.csat_comment');
    csatSend.textContent = t('livechat.csat_send');
    csatLater.textContent = t('livechat.csat_later');
    if (!survey) { return; }
    csatIntro.textContent = t('livechat.csat_intro', { tn: survey.tn });
    // The intro asks for a rating: once answered (or closed) it has no
    // question left to ask.
    csatIntro.hidden = survey.state !== 'open' && survey.state !== 'sending';
    var given = survey.state === 'thanks' && survey.rating >= 1 && survey.rating <= 5;
    csatGiven.hidden = !given;
    csatGiven.textContent = given ? t('livechat.csat_given', { rating: survey.rating, word: t(RATING_KEYS[survey.rating - 1]) }) : '';
    // Hiding the form with the focus in it would drop the focus to the
    // page: the card keeps it, and its status line says what happened.
    var hadFocus = csatForm.contains(document.activeElement);
    csatForm.hidden = survey.state !== 'open' && survey.state !== 'sending';
    if (hadFocus && csatForm.hidden) { csat.focus(); }
    // Sending refuses presses (the submit handler waits for 'open') but
    // stays focusable: a disabled button would drop the focus too.
    if (survey.state === 'sending') { csatSend.setAttribute('aria-disabled', 'true'); } else { csatSend.removeAttribute('aria-disabled'); }
    var key = { sending: 'livechat.csat_sending', thanks: 'livechat.csat_thanks', already: 'livechat.csat_already',
      closed: 'livechat.csat_closed', unavailable: 'livechat.unavailable' }[survey.state];
    csatStatus.textContent = key ? t(key) : '';
  }

  function openSurvey(token, tn) {
    if (!token || (survey && survey.token === token)) { return; }
    survey = { token: token, tn: tn, state: 'open' };
    csatForm.reset();
    csatError.hidden = true;
    showCard(true);
    renderSurvey();
    scroll(); // the card takes room from the conversation: its end stays in view
    // Live (not a replay), the card takes the focus unless the visitor is
    // writing a message.
    if (!syncing && !panel.hidden && !(document.activeElement === text && text.value)) { csat.focus(); }
  }

  // closeSurvey ends the card of token: thanked (rating > 0) or "already
  // rated". In a replay the card of an answered survey never shows.
  function closeSurvey(token, rating, live) {
    if (!survey || survey.token !== token) { return; }
    if (!live) { survey = null; showCard(false); return; }
    survey.state = rating ? 'thanks' : 'already';
    survey.rating = rating || 0;
    renderSurvey();
  }

  csatForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!survey || survey.state !== 'open') { return; }
    var picked = csatForm.querySelector('input[name="tgc-rating"]:checked');
    csatError.hidden = !!picked;
    if (!picked) {
      csatError.textContent = t('livechat.csat_pick');
      csatForm.querySelector('input[name="tgc-rating"]').focus();
      return;
    }
    survey.state = 'sending';
    if (!sendFrame({ type: 'rate', survey: survey.token, rating: parseInt(picked.value, 10), comment: csatComment.value.trim() })) {
      survey.state = 'open';
      renderSurvey();
      csatStatus.textContent = t('livechat.unavailable');
      return;
    }
    renderSurvey();
  });
  csatSet.addEventListener('change', function () { csatError.hidden = true; });
  csatLater.addEventListener('click', function () {
    showCard(false);
    focusStep();
  });

  // surveyError takes an error frame about the card's answer.
  function surveyError(f) {
    if (!survey || survey.state !== 'sending') { return false; }
    if (f.code === 'already_rated') { survey.state = 'already'; }
    else if (f.code === 'survey_closed') { survey.state = 'closed'; }
    else if (f.code === 'invalid' && f.field === 'rating') {
      survey.state = 'open';
      csatError.textContent = t('livechat.csat_pick');
      csatError.hidden = false;
    } else {
      survey.state = 'open';
      renderSurvey();
      csatStatus.textContent = t(f.code === 'rate_limited' ? 'livechat.too_fast' : 'livechat.unavailable');
      return true;
    }
    renderSurvey();
    return true;
  }

  function fileLinks(parent, files) {
    (files || []).forEach(function (f) {
      var a = el('a', 'tgc-file-link', f.name || 'file');
      if (f.url) { a.href = base + f.url; }
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      if (f.url && /^image\//.test(f.mime)) {
        a.textContent = '';
        var img = el('img', 'tgc-img');
        img.src = base + f.url;
        img.alt = f.name || '';
        a.appendChild(img);
      }
      parent.appendChild(a);
    });
  }

  function renderMark(li) {
    var mark = li.querySelector('.tgc-mark');
    if (!mark) { return; }
    var st = li.getAttribute('data-status');
    var key = { sending: 'livechat.sending', sent: 'livechat.sent', read: 'livechat.read', retrying: 'livechat.retrying', failed: 'livechat.not_sent' }[st] || 'livechat.sending';
    mark.textContent = (st === 'read' ? '\u2713\u2713 ' : st === 'sent' ? '\u2713 ' : st === 'failed' ? '\u2715 ' : '') + t(key);
  }

  // bubble adds a message. who is a name, or a translation key (its text
  // follows a language switch).
  function bubble(mine, who, body, files, cid, seq, at) {
    var li = el('li', mine ? 'tgc-msg tgc-mine' : 'tgc-msg tgc-theirs');
    if (cid) { li.setAttribute('data-cid', cid); }
    if (seq) { li.setAttribute('data-seq', String(seq)); }
    var head = el('span', 'tgc-head');
    var whoEl = el('span', 'tgc-who');
    if (who.key) {
      whoEl.setAttribute('data-text-key', who.key);
      whoEl.textContent = t(who.key);
    } else {
      whoEl.textContent = who.name;
    }
    var when = el('time', 'tgc-time');
    var d = at ? new Date(at) : new Date();
    when.setAttribute('datetime', isNaN(d.getTime()) ? '' : d.toISOString());
    when.textContent = clock(d);
    head.appendChild(whoEl);
    head.appendChild(when);
    li.appendChild(head);
    if (body) { li.appendChild(el('p', 'tgc-body', body)); }
    fileLinks(li, files);
    if (mine) {
      li.appendChild(el('span', 'tgc-mark'));
      li.setAttribute('data-status', seq ? 'sent' : 'sending');
      renderMark(li);
    }
    log.appendChild(li);
    scroll();
    return li;
  }

  function mineByCID(cid) { return log.querySelector('li[data-cid="' + cid + '"]'); }

  function setStatus(li, st) {
    if (!li || li.getAttribute('data-status') === 'read') { return; }
    li.setAttribute('data-status', st);
    renderMark(li);
  }

  var unreadReplies = [];
  function markRead() {
    if (panel.hidden || document.visibilityState !== 'visible') { return; }
    while (unreadReplies.length) {
      sendFrame({ type: 'mark', seq: unreadReplies.shift(), status: 'read' });
    }
  }

  // ---- entries -------------------------------------------------------------
  function applyEntry(e) {
    if (e.seq <= lastSeq) { return; }          // a repeat (fan-out and replay)
    if (e.seq > lastSeq + 1) {                 // a gap: fetch what is missing
      if (!syncing) { syncing = true; sendFrame({ type: 'sync', after: lastSeq }); }
      return;
    }
    lastSeq = e.seq;
    switch (e.kind) {
      case 'msg':
        var li = mineByCID(e.cid);
        if (li) {
          li.setAttribute('data-seq', String(e.seq));
          setStatus(li, 'sent');
        } else {
          bubble(true, { key: 'livechat.you' }, e.text, e.files, e.cid, e.seq, e.at);
        }
        // The first message opens the ticket with the contact on file
        // then; a message that reopens a solved one changes nothing.
        if (conv.state === 'none' && !syncing) {
          if (hasContact()) { markIn(KEY_CONTACT_TN, e.tn); } else { markIn(KEY_NO_CONTACT_TN, e.tn); }
        }
        conv.state = 'open';
        conv.tn = e.tn;
        break;
      case 'reply':
        bubble(false, e.agent ? { name: e.agent } : { key: 'livechat.officer' }, e.text, e.files, null, e.seq, e.at);
        typing.hidden = true;
        sendFrame({ type: 'mark', seq: e.seq, status: 'delivered' });
        unreadReplies.push(e.seq);
        markRead();
        break;
      case 'agent':
        conv.agent = e.agent;
        system('livechat.agent_joined', { name: e.agent });
        break;
      case 'read':
        Array.prototype.forEach.call(log.querySelectorAll('.tgc-mine'), function (m) {
          var s = Number(m.getAttribute('data-seq') || 0);
          if (s && s < e.seq) { setStatus(m, 'read'); }
        });
        break;
      case 'solved':
        if (e.tn === conv.tn) { conv.state = 'solved'; }
        // The chat ends naming its tracking number: said here when the
        // status page cannot find it (no phone or email came with it).
        system(listed(KEY_NO_CONTACT_TN, e.tn) ? 'livechat.solved_no_contact' : 'livechat.solved', { tn: e.tn });
        break;
      case 'reopened':
        if (e.tn === conv.tn) { conv.state = 'open'; }
        system('livechat.reopened', { tn: e.tn });
        break;
      case 'csat':
        openSurvey(e.survey, e.tn);
        break;
      case 'rated':
        closeSurvey(e.survey, e.rating, !syncing);
        break;
      case 'new':
        conv = { tn: e.tn, state: 'none', agent: '' };
        queueInfo = null;
        survey = null; // the last conversation's card goes with it
        showCard(false);
        system('livechat.new_started');
        break;
    }
    newBtn.hidden = conv.state !== 'solved';
    renderHeader();
    renderQueue();
  }

  function onFrame(f) {
    switch (f.type) {
      case 'welcome':
        welcomed = true;
        if (f.token && f.token !== token) {
          if (token) {
            // A new identity: the old screen is not ours, nor the files
            // uploaded under the old one (the server would refuse them).
            log.textContent = ''; lastSeq = 0;
            pending = []; renderPending();
          }
          token = f.token;
          store.set(KEY_TOKEN, token);
        }
        conv = f.conversation || conv;
        if (f.limits) { limits = f.limits; }
        syncing = true;
        if (f.visitor && (f.visitor.phone || f.visitor.email)) { store.set(KEY_PRECHAT, 'contact'); }
        else if (f.visitor && f.visitor.name && !store.get(KEY_PRECHAT)) { store.set(KEY_PRECHAT, 'done'); }
        // The step may change under the focus: in the widget opened by a
        // button the focus goes to the step's field; on the chat page only
        // a focus already in a field follows it (the page loads with the
        // focus at its start, before the heading and the hours).
        var inStep = document.activeElement === fName.input || document.activeElement === text;
        showPrechat(!store.get(KEY_PRECHAT) && conv.state === 'none' && !outbox.length);
        if (!panel.hidden && (!host || inStep)) { focusStep(); }
        renderHeader();
        break;
      case 'entry':
        applyEntry(f);
        break;
      case 'replayed':
        syncing = false;
        if (f.last_seq > lastSeq) { syncing = true; sendFrame({ type: 'sync', after: lastSeq }); }
        flushOutbox();
        newBtn.hidden = conv.state !== 'solved';
        break;
      case 'ack':
        outbox = outbox.filter(function (m) { return m.cid !== f.cid; });
        saveOutbox();
        var li = mineByCID(f.cid);
        if (li) { li.setAttribute('data-seq', String(f.seq)); setStatus(li, 'sent'); }
        break;
      case 'error':
        if (!f.cid && surveyError(f)) { break; }
        if (f.cid) {
          if (f.code === 'bad_file' || f.code === 'bad_frame') {
            // It can never succeed: said so on the message and above the
            // box, never "trying again" for ever.
            outbox = outbox.filter(function (m) { return m.cid !== f.cid; });
            saveOutbox();
            setStatus(mineByCID(f.cid), 'failed');
            showError('livechat.not_sent_reason');
          } else {
            setStatus(mineByCID(f.cid), 'retrying');
            if (f.code === 'rate_limited' || f.code === 'unavailable') {
              showError(f.code === 'rate_limited' ? 'livechat.too_fast' : 'livechat.unavailable');
              setTimeout(flushOutbox, 3000);
            }
          }
        }
        if (f.code === 'invalid' && f.field) {
          var fe = f.field === 'phone' ? fPhone : fEmail;
          fe.err.textContent = t(f.field === 'phone' ? 'livechat.invalid_phone' : 'livechat.invalid_email');
          fe.err.hidden = false;
          fe.input.setAttribute('aria-invalid', 'true');
          fe.input.focus();
        }
        break;
      case 'profile':
        var v = f.visitor || {};
        store.set(KEY_PRECHAT, v.phone || v.email ? 'contact' : 'done');
        showPrechat(false);
        system('livechat.prechat_saved');
        renderQueue();
        text.focus();
        break;
      case 'queue':
        queueInfo = f;
        renderQueue();
        break;
      case 'typing':
        typing.textContent = t('livechat.agent_typing', { name: f.agent || t('livechat.officer') });
        typing.hidden = !f.on;
        clearTimeout(typingTimer);
        if (f.on) { typingTimer = setTimeout(function () { typing.hidden = true; }, 8000); }
        break;
      case 'pong':
        clearTimeout(pongTimer);
        break;
    }
  }

  function showError(key, args) {
    formError.textContent = t(key, args);
    formError.hidden = false;
    setTimeout(function () { formError.hidden = true; }, 6000);
  }

  // ---- sending -------------------------------------------------------------
  var flushing = false;
  function flushOutbox() {
    if (!welcomed || syncing || flushing) { return; }
    flushing = true;
    outbox.forEach(function (m) {
      if (!mineByCID(m.cid)) { bubble(true, { key: 'livechat.you' }, m.text, m.files, m.cid, 0, m.at); }
      sendFrame({ type: 'msg', cid: m.cid, text: m.text, files: m.files });
    });
    flushing = false;
  }

  function queueMessage(body, files) {
    var m = { cid: newCID(), text: body, files: files || [], at: new Date().toISOString() };
    outbox.push(m);
    saveOutbox();
    bubble(true, { key: 'livechat.you' }, m.text, m.files, m.cid, 0, m.at);
    if (welcomed && !syncing) { sendFrame({ type: 'msg', cid: m.cid, text: m.text, files: m.files }); }
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = text.value.trim();
    if (uploading) { showError('livechat.file_uploading'); return; }
    if (!body && !pending.length) { text.focus(); return; }
    queueMessage(body, pending.map(function (p) { return p.file; }));
    pending = [];
    renderPending();
    text.value = '';
    stopTyping();
    text.focus();
  });

  text.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  });

  text.addEventListener('input', function () {
    var now = Date.now();
    if (!typingOn || now - lastTypingSent > 3000) {
      typingOn = true;
      lastTypingSent = now;
      sendFrame({ type: 'typing', on: true });
    }
    clearTimeout(text._idle);
    text._idle = setTimeout(stopTyping, 4000);
  });

  function stopTyping() {
    clearTimeout(text._idle);
    if (typingOn) { typingOn = false; sendFrame({ type: 'typing', on: false }); }
  }

  // Chosen files are uploaded at once (the server checks each) and wait
  // in pendingList, each with its own remove button, until Send.
  var pending = []; // [{file (the upload's answer), name}]
  var UPLOAD_TIMEOUT_MS = 120000;
  var uploading = 0;
  function renderPending() {
    pendingList.textContent = '';
    pending.forEach(function (p, i) {
      var li = el('li', 'tgc-pending-item');
      li.appendChild(el('span', 'tgc-pending-name', p.name));
      var rm = el('button', 'tgc-pending-remove', t('livechat.file_remove_short'));
      rm.type = 'button';
      rm.setAttribute('data-index', String(i));
      rm.setAttribute('aria-label', t('livechat.file_remove', { name: p.name }));
      li.appendChild(rm);
      pendingList.appendChild(li);
    });
    pendingList.hidden = pending.length === 0;
  }
  pendingList.addEventListener('click', function (ev) {
    var rm = ev.target.closest('.tgc-pending-remove');
    if (!rm) { return; }
    var gone = pending.splice(Number(rm.getAttribute('data-index')), 1)[0];
    renderPending();
    if (gone) { announce(t('livechat.file_removed', { name: gone.name })); }
    var next = pendingList.querySelector('.tgc-pending-remove');
    (next || text).focus();
  });
  file.addEventListener('change', function () {
    var f = file.files && file.files[0];
    file.value = '';
    if (!f) { return; }
    var mb = Math.floor(limits.max_file_bytes / 1048576);
    if (limits.file_types.indexOf(f.type) < 0) { showError('livechat.file_type_named', { name: f.name }); return; }
    if (f.size > limits.max_file_bytes) { showError('livechat.file_too_large_named', { name: f.name, mb: mb }); return; }
    // Those still uploading count: a message takes at most max_files.
    if (pending.length + uploading >= limits.max_files) { showError('livechat.too_many_files', { max: limits.max_files }); return; }
    var fd = new FormData();
    fd.append('file', f, f.name);
    uploading++;
    // An upload that hangs is given up (Send waits for uploads).
    var stop = typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(UPLOAD_TIMEOUT_MS) : undefined;
    fetch(base + '/livechat/upload', { method: 'POST', body: fd, headers: { 'X-Livechat-Token': token }, signal: stop })
      .then(function (r) {
        if (r.status === 413) { throw new Error('livechat.file_too_large_named'); }
        if (r.status === 415) { throw new Error('livechat.file_type_named'); }
        if (!r.ok) { throw new Error('livechat.upload_failed_named'); }
        return r.json();
      })
      .then(function (u) {
        uploading--;
        pending.push({ file: u, name: f.name });
        renderPending();
        announce(t('livechat.file_ready', { name: f.name }));
      })
      .catch(function (err) {
        uploading--;
        var key = /^livechat\./.test(err.message) ? err.message : 'livechat.upload_failed_named';
        showError(key, { name: f.name, mb: mb });
      });
  });

  pre.addEventListener('submit', function (ev) {
    ev.preventDefault();
    [fPhone, fEmail].forEach(function (x) { x.err.hidden = true; x.input.removeAttribute('aria-invalid'); });
    sendFrame({ type: 'profile', name: fName.input.value.trim(), phone: fPhone.input.value.trim(), email: fEmail.input.value.trim() });
  });
  preSkip.addEventListener('click', function () {
    var later = preLater;
    if (!store.get(KEY_PRECHAT)) { store.set(KEY_PRECHAT, 'done'); }
    showPrechat(false);
    scroll();
    // Cancelled, the focus goes back to the button that asked for the form.
    if (later && giveContact.parentNode && !queue.hidden) { giveContact.focus(); } else { text.focus(); }
  });

  newBtn.addEventListener('click', function () {
    sendFrame({ type: 'new' });
    text.focus();
  });

  // ---- open / close / language --------------------------------------------
  function setOpen(open) {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
    root.classList.toggle('tgc-open', open);
    // Opened by a button, the first field takes the focus; the chat page
    // (host) opens it on load, where the focus stays at the page's start.
    if (open) { if (!host) { focusStep(); } markRead(); scroll(); loadHours(); } else if (external) {
      document.dispatchEvent(new CustomEvent('tanggap:chat-closed'));
    } else { launcher.focus(); }
  }
  window.tanggapChat = {
    open: function () { setOpen(true); },
    close: function () { if (!panel.hidden) { panel.hidden = true; root.classList.remove('tgc-open'); } },
  };
  launcher.addEventListener('click', function () { setOpen(panel.hidden); });
  closeBtn.addEventListener('click', function () { setOpen(false); });
  panel.addEventListener('keydown', function (ev) { if (ev.key === 'Escape' && !host) { setOpen(false); } });
  document.addEventListener('visibilitychange', markRead);
  function otherLang() { return Object.keys(languages).filter(function (l) { return l !== lang; })[0]; }
  langBtn.addEventListener('click', function () {
    var other = otherLang();
    if (!other) { return; }
    lang = other;
    store.set(KEY_LANG, lang);
    loadConfig();
    if (!panel.hidden) { loadHours(); }
  });

  // ---- connection ------------------------------------------------------------
  function connect() {
    clearTimeout(pingTimer);
    connState = 'connecting';
    renderStatus();
    welcomed = false;
    var sock = new WebSocket(base.replace(/^http/, 'ws') + '/livechat/ws');
    ws = sock;
    sock.onopen = function () {
      attempt = 0;
      connState = 'open';
      renderStatus();
      // A reload starts from 0 to draw the history; a reconnect resumes.
      sendFrame({ type: 'hello', token: token, after: lastSeq, lang: lang });
      heartbeat();
    };
    sock.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      onFrame(f);
    };
    sock.onclose = function () {
      if (ws !== sock) { return; }
      ws = null;
      clearTimeout(pingTimer);
      clearTimeout(pongTimer);
      scheduleReconnect();
    };
  }

  // The browser may not notice a dead network for minutes: ask the
  // server every 20 s and reconnect when it does not answer in 10 s.
  function heartbeat() {
    pingTimer = setTimeout(function () {
      if (!sendFrame({ type: 'ping' })) { return; }
      pongTimer = setTimeout(function () { if (ws) { ws.close(); } }, 10000);
      heartbeat();
    }, 20000);
  }

  var retryTimer = null;
  function scheduleReconnect() {
    clearTimeout(retryTimer);
    if (navigator.onLine === false) {
      connState = 'offline';
      renderStatus();
      return; // the online event reconnects
    }
    attempt++;
    var delay = Math.min(30, Math.pow(2, Math.min(attempt, 5)) / 2) * (0.5 + Math.random() / 2);
    retryIn = Math.max(1, Math.round(delay));
    connState = 'retry';
    renderStatus();
    retryTimer = setTimeout(connect, delay * 1000);
  }
  window.addEventListener('online', function () {
    if (!ws) { clearTimeout(retryTimer); attempt = 0; connect(); }
  });
  window.addEventListener('offline', function () {
    if (ws) { ws.close(); }
  });

  function start() {
    (host || document.body).appendChild(root);
    loadConfig().catch(function () { renderTexts(); }).then(connect);
    if (host || script.hasAttribute('data-open')) { setOpen(true); }
  }
  if (document.body) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
}());
