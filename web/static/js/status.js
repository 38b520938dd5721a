// Status page: looks a complaint up by tracking number and the phone or
// email given with it, shows its thread and takes follow-up messages.
// Follow-ups are processed asynchronously, so after sending one the thread
// is refreshed a few times until it shows up.
(function () {
  'use strict';
  var T = window.Tanggap;
  var t = T.t;

  var form = document.getElementById('lookup-form');
  if (!form) { return; }
  var alertBox = document.getElementById('lookup-alert');
  var result = document.getElementById('result');
  var lookupBtn = document.getElementById('lookup-btn');
  var followForm = document.getElementById('followup-form');
  var followBtn = document.getElementById('followup-btn');
  var followStatus = document.getElementById('followup-status');
  var current = null; // {tn, contact} of the complaint shown
  var shownCount = 0;

  function normalizeTN(v) {
    var digits = v.replace(/\D/g, '');
    return digits.length === 16 ? digits.replace(/(\d{4})(?=\d)/g, '$1-') : v.trim();
  }

  function url(tn, contact, suffix) {
    return '/api/v1/complaints/' + encodeURIComponent(tn) + (suffix || '') + '?contact=' + encodeURIComponent(contact);
  }

  function renderMessage(m) {
    var out = m.direction === 'out';
    var who = out ? (m.author || t('status_page.officer')) : t('status_page.you');
    return T.el('li', { 'class': 'msg ' + (out ? 'msg-out' : 'msg-in') }, [
      T.el('div', { 'class': 'msg-head' }, [
        T.el('span', { 'class': 'msg-author', text: who }),
        T.el('time', { 'class': 'msg-time', datetime: m.created_at || null, text: T.formatDate(m.created_at) })
      ]),
      T.el('p', { 'class': 'msg-body', text: m.body || '' })
    ]);
  }

  function render(c) {
    T.setText('r-tn', c.tracking_number);
    var badge = document.getElementById('r-status');
    badge.textContent = c.status_label || T.label('status.', c.status);
    badge.className = 'badge badge-' + String(c.status || '').replace(/[^a-z]/g, '');
    T.setText('r-category', c.category_label || T.label('category.', c.category));
    T.setText('r-created', T.formatDate(c.created_at));
    T.setText('r-updated', T.formatDate(c.updated_at));
    var thread = document.getElementById('thread');
    thread.textContent = '';
    var msgs = Array.isArray(c.messages) ? c.messages : [];
    msgs.forEach(function (m) { thread.appendChild(renderMessage(m)); });
    document.getElementById('thread-empty').hidden = msgs.length > 0;
    var closed = c.status === 'closed';
    document.getElementById('closed-note').hidden = !closed;
    followForm.hidden = closed;
    shownCount = msgs.length;
    return msgs.length;
  }

  // fetchStatus loads the complaint; it returns the number of messages,
  // or -1 after showing an error.
  async function fetchStatus(focusResult) {
    var res = await T.api('GET', url(current.tn, current.contact));
    if (res.ok && res.data) {
      T.showAlert(alertBox, '', false);
      var n = render(res.data);
      result.hidden = false;
      if (focusResult) { result.focus(); }
      return n;
    }
    result.hidden = true;
    // A miss never says whether the number or the contact was wrong.
    T.showAlert(alertBox, res.status === 404 ? t('status_page.not_found') : T.errorMessage(res), true);
    return -1;
  }

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    T.clearFieldErrors(form);
    var tn = normalizeTN(document.getElementById('tn').value);
    var contact = document.getElementById('contact').value.trim();
    var bad = false;
    if (!tn) { T.setFieldError('tn', t('validation.required')); bad = true; }
    if (!contact) { T.setFieldError('contact', t('validation.required')); bad = true; }
    if (bad) { T.focusFirstInvalid(form); return; }
    document.getElementById('tn').value = tn;
    current = { tn: tn, contact: contact };
    T.busy(lookupBtn, true, t('common.loading'));
    await fetchStatus(true);
    T.busy(lookupBtn, false);
  });

  document.getElementById('refresh-btn').addEventListener('click', function () {
    if (current) { fetchStatus(false); }
  });

  // waitForThread re-reads the thread with growing pauses until it has
  // more than `before` messages or the tries run out.
  function waitForThread(before, delays) {
    if (!delays.length) {
      followStatus.textContent = t('status_page.sent_pending');
      return;
    }
    setTimeout(async function () {
      var n = await fetchStatus(false);
      if (n > before) {
        followStatus.textContent = t('status_page.sent');
        return;
      }
      if (n >= 0) { waitForThread(before, delays.slice(1)); }
    }, delays[0]);
  }

  followForm.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    if (!current) { return; }
    T.clearFieldErrors(followForm);
    followStatus.textContent = '';
    var body = document.getElementById('followup-body').value.trim();
    if (!body) {
      T.setFieldError('followup-body', t('validation.body_required'));
      T.focusFirstInvalid(followForm);
      return;
    }
    T.busy(followBtn, true, t('complaint.sending'));
    var res = await T.api('POST', url(current.tn, current.contact, '/messages'), { body: body });
    T.busy(followBtn, false);
    if (res.status === 202 || res.ok) {
      document.getElementById('followup-body').value = '';
      followStatus.textContent = t('status_page.sending_follow_up');
      waitForThread(shownCount, [700, 1500, 3000, 5000, 8000]);
      return;
    }
    var fields = T.fieldErrors(res);
    T.setFieldError('followup-body', fields.body ? String(fields.body) : T.errorMessage(res));
    T.focusFirstInvalid(followForm);
  });

  // Coming from the complaint form in this tab: prefill the contact kept
  // in sessionStorage when the tracking number matches.
  (function prefill() {
    var tnInput = document.getElementById('tn');
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem('tanggap.lookup') || 'null'); } catch (e) { saved = null; }
    if (saved && saved.tn && (!tnInput.value || normalizeTN(tnInput.value) === saved.tn)) {
      tnInput.value = saved.tn;
      document.getElementById('contact').value = saved.contact || '';
    }
    if (tnInput.value && !document.getElementById('contact').value) {
      document.getElementById('contact').focus();
    }
  })();
})();
