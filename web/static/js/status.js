// Status page: looks a complaint up by tracking number and the phone or
// email given with it, shows its thread (with the citizen's own files and
// the files officers attached to replies, downloadable under the same
// check) and takes follow-up messages with at
// most one file.
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
  var fileInput = document.getElementById('followup-file');
  var maxBytes = parseInt(followForm.dataset.maxBytes, 10) || 5 * 1024 * 1024;
  var maxMB = followForm.dataset.maxMb || String(Math.round(maxBytes / 1048576));
  var allowedTypes = ['image/jpeg', 'image/png', 'application/pdf'];
  var allowedExt = /\.(jpe?g|png|pdf)$/i;
  var current = null; // {tn, contact, pin} of the complaint shown
  var shownCount = 0;
  var surveyShown = ''; // the survey token whose rating card is open

  function normalizeTN(v) {
    var digits = v.replace(/\D/g, '');
    return digits.length === 16 ? digits.replace(/(\d{4})(?=\d)/g, '$1-') : v.trim();
  }

  function url(tn, contact, suffix) {
    return '/api/v1/complaints/' + encodeURIComponent(tn) + (suffix || '') + '?contact=' + encodeURIComponent(contact);
  }

  // fileLink opens a file in a new tab with a form post carrying the PIN
  // or the contact the complaint was opened with: neither goes in a URL
  // (no history, log or Referer keeps it).
  function fileLink(f) {
    var label = f.filename || String(f.id);
    var suffix = '/files/' + encodeURIComponent(f.id);
    var action = current.pin ? pinURL(suffix) : '/api/v1/complaints/' + encodeURIComponent(current.tn) + suffix;
    return T.el('form', { method: 'post', action: action, target: '_blank', 'class': 'file-post' }, [
      T.el('input', { type: 'hidden', name: current.pin ? 'pin' : 'contact', value: current.pin || current.contact }),
      T.el('button', { type: 'submit', 'class': 'link-button', text: label })
    ]);
  }

  function renderMessage(m) {
    var out = m.direction === 'out';
    var who = out ? (m.author || t('status_page.officer')) : t('status_page.you');
    var files = Array.isArray(m.files) ? m.files : [];
    var list = null;
    if (files.length) {
      list = T.el('ul', { 'class': 'msg-files', 'aria-label': t(out ? 'files.reply_files' : 'status_page.your_files') }, files.map(function (f) {
        return T.el('li', null, [
          fileLink(f),
          ' (' + T.fileSize(f.size || 0) + ')'
        ]);
      }));
    }
    return T.el('li', { 'class': 'msg ' + (out ? 'msg-out' : 'msg-in') }, [
      T.el('div', { 'class': 'msg-head' }, [
        T.el('span', { 'class': 'msg-author', text: who }),
        T.el('time', { 'class': 'msg-time', datetime: m.created_at || null, text: T.formatDate(m.created_at) })
      ]),
      m.body ? T.el('p', { 'class': 'msg-body', text: m.body }) : null,
      list
    ]);
  }

  // checkFile says what is wrong with the chosen file, or ''.
  function checkFile() {
    var files = fileInput.files;
    if (files.length > 1) { return t('validation.too_many_files', { max: 1 }); }
    if (!files.length) { return ''; }
    var f = files[0];
    var typeOK = allowedTypes.indexOf(f.type) >= 0 || (!f.type && allowedExt.test(f.name));
    if (!typeOK) { return t('validation.file_type'); }
    if (f.size > maxBytes) { return t('validation.file_too_large', { max: maxMB }); }
    return '';
  }

  // The thread is no live region: a refresh would read the whole
  // conversation again. It is drawn once per complaint and then changed
  // only where a message is new or changed (a link in it keeps the
  // focus); the status line under its heading says how many replies a
  // refresh brought.
  var threadOf = ''; // the lookup whose thread is drawn
  var drawn = [];    // each drawn message as JSON, in order
  function renderThread(msgs) {
    var thread = document.getElementById('thread');
    var of = JSON.stringify(current);
    var again = of === threadOf;
    if (!again) {
      thread.textContent = '';
      drawn = [];
      threadOf = of;
    }
    var replies = 0;
    msgs.forEach(function (m, i) {
      var now = JSON.stringify(m);
      if (drawn[i] === now) { return; }
      var li = renderMessage(m);
      if (i < drawn.length) {
        thread.replaceChild(li, thread.children[i]);
      } else {
        thread.appendChild(li);
        if (again && m.direction === 'out') { replies++; }
      }
      drawn[i] = now;
    });
    while (drawn.length > msgs.length) {
      thread.removeChild(thread.lastChild);
      drawn.pop();
    }
    T.setText('thread-news', replies ? t('status_page.new_replies', { n: replies }) : '');
  }

  function render(c) {
    shownStatus = c.status || '';
    showDue();
    T.trackingNumber('r-tn', c.tracking_number);
    var badge = document.getElementById('r-status');
    badge.textContent = c.status_label || T.label('status.', c.status);
    badge.className = 'badge badge-' + String(c.status || '').replace(/[^a-z]/g, '');
    T.setText('r-category', c.category ? (c.category_label || T.label('category.', c.category)) : '—');
    T.setText('r-created', T.formatDate(c.created_at));
    T.setText('r-updated', T.formatDate(c.updated_at));
    var msgs = Array.isArray(c.messages) ? c.messages : [];
    renderThread(msgs);
    document.getElementById('thread-empty').hidden = msgs.length > 0;
    var closed = c.status === 'closed';
    document.getElementById('closed-note').hidden = !closed;
    followForm.hidden = closed;
    shownCount = msgs.length;
    return msgs.length;
  }

  // Complaint lifecycle: the timeline of stages, the PIN of anonymous and
  // confidential complaints, and "not settled" after a published follow-up.
  function pinURL(suffix) { return '/api/v1/complaints/' + encodeURIComponent(current.tn) + '/pin' + (suffix || ''); }
  // The stage's target is shown while the ticket is still being worked:
  // beside "Selesai" (an officer solved it) a running target would only
  // contradict it.
  var shownTimeline = null;
  var shownStatus = '';
  function showDue() {
    var tl = shownTimeline;
    var working = shownStatus !== 'solved' && shownStatus !== 'closed';
    T.setText('tl-due', tl && tl.due_at && !tl.can_disagree && working ? t('lifecycle.status.due', { at: T.formatDeadline(tl.due_at) }) : '');
  }
  function renderTimeline(tl) {
    var box = document.getElementById('timeline-box');
    if (!tl || !Array.isArray(tl.steps)) { shownTimeline = null; box.hidden = true; return; }
    box.hidden = false;
    T.setText('tl-kind', t('lifecycle.status.kind', { kind: tl.kind_label || T.label('lifecycle.kind.', tl.kind) }));
    T.setText('tl-stage', t('lifecycle.status.stage', { stage: tl.stage_label || T.label('lifecycle.stage.', tl.stage) }));
    shownTimeline = tl;
    showDue();
    document.getElementById('tl-incomplete').hidden = !tl.incomplete;
    var list = document.getElementById('timeline');
    list.textContent = '';
    tl.steps.forEach(function (st) {
      list.appendChild(T.el('li', { 'class': 'timeline-step' }, [
        T.el('time', { datetime: st.at || null, text: T.formatDate(st.at) }), ' ',
        T.el('strong', { text: st.label || T.label('lifecycle.step.', st.step) }),
        st.note ? T.el('p', { 'class': 'msg-body', text: st.note }) : null
      ]));
    });
    var dis = document.getElementById('disagree-form');
    dis.hidden = !tl.can_disagree;
    T.setText('disagree-hint', tl.close_due_at ? t('lifecycle.status.disagree_hint', { at: T.formatDeadline(tl.close_due_at) }) : '');
  }
  document.getElementById('disagree-form').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    if (!current) { return; }
    var reason = document.getElementById('disagree-reason').value.trim();
    T.clearFieldErrors(ev.target);
    if (!reason) { T.setFieldError('disagree-reason', t('validation.required')); T.focusFirstInvalid(ev.target); return; }
    var res = await T.api('POST', '/api/v1/complaints/' + encodeURIComponent(current.tn) + '/disagree',
      { reason: reason, pin: current.pin || '', contact: current.pin ? '' : current.contact });
    if (res.status === 202 || res.ok) {
      document.getElementById('disagree-reason').value = '';
      followStatus.textContent = t('lifecycle.status.disagree_sent');
      fetchStatus(false);
      return;
    }
    T.setFieldError('disagree-reason', T.errorMessage(res));
  });

  // fetchStatus loads the complaint; it returns the number of messages,
  // or -1 after showing an error. Either answer carries the timeline, null
  // for a ticket not in the complaint lifecycle (a chat never treated as
  // a complaint).
  async function fetchStatus(focusResult) {
    var res = current.pin ? await T.api('POST', pinURL(), { pin: current.pin }) : await T.api('GET', url(current.tn, current.contact));
    if (res.ok && res.data) {
      renderTimeline(res.data.timeline);
      if (current.pin) { res.data = res.data.ticket; }
    }
    if (res.ok && res.data) {
      T.showAlert(alertBox, '', false);
      var n = render(res.data);
      result.hidden = false;
      if (!showSurvey(res.data.csat, focusResult) && focusResult) { result.focus(); }
      return n;
    }
    result.hidden = true;
    // A miss never says whether the number or the contact was wrong.
    T.showAlert(alertBox, res.status === 404 ? t('status_page.not_found') : T.errorMessage(res), true);
    return -1;
  }

  // csat: a solved ticket whose survey waits for an answer shows the
  // rating card (csat-card.js) above the complaint, once per survey: a
  // refresh leaves a card being filled in alone. It says whether the card
  // opened now (and took the focus).
  function showSurvey(token, focus) {
    var card = T.csatCard;
    if (!card || !token || token === surveyShown) { return false; }
    surveyShown = token;
    var box = document.getElementById('csat-card');
    result.parentNode.insertBefore(box, result);
    card.open(token, 'status_page', focus);
    return true;
  }

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    T.clearFieldErrors(form);
    if (surveyShown && T.csatCard) { T.csatCard.hide(); }
    surveyShown = '';
    var tn = normalizeTN(document.getElementById('tn').value);
    var contact = document.getElementById('contact').value.trim();
    var pin = document.getElementById('pin').value.replace(/[^0-9]/g, '');
    var bad = false;
    if (!tn) { T.setFieldError('tn', t('validation.required')); bad = true; }
    // Sixteen digits, or it cannot be one: said here, on the field, rather
    // than as "not found" after a round trip.
    else if (!/^\d{4}-\d{4}-\d{4}-\d{4}$/.test(tn)) { T.setFieldError('tn', t('validation.tn_format')); bad = true; }
    if (!contact && !pin) { T.setFieldError('contact', t('validation.required')); bad = true; }
    if (bad) { T.focusFirstInvalid(form); return; }
    document.getElementById('tn').value = tn;
    current = { tn: tn, contact: contact, pin: pin };
    // A PIN follow-up carries text only.
    document.getElementById('followup-file').closest('.field').hidden = !!pin;
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
    var bad = false;
    if (!body && !fileInput.files.length) {
      T.setFieldError('followup-body', t('validation.body_required'));
      bad = true;
    }
    var fileErr = checkFile();
    if (fileErr) { T.setFieldError('followup-file', fileErr); bad = true; }
    if (bad) { T.focusFirstInvalid(followForm); return; }
    var payload = { body: body };
    if (fileInput.files.length) {
      payload = new FormData();
      payload.append('body', body);
      payload.append('attachments', fileInput.files[0], fileInput.files[0].name);
    }
    T.busy(followBtn, true, t('complaint.sending'));
    var res = current.pin ? await T.api('POST', pinURL('/messages'), { pin: current.pin, body: body })
      : await T.api('POST', url(current.tn, current.contact, '/messages'), payload);
    T.busy(followBtn, false);
    if (res.status === 202 || res.ok) {
      // Cleared only once the server has it: a refused follow-up keeps
      // the text and the file for another try.
      document.getElementById('followup-body').value = '';
      fileInput.value = '';
      followStatus.textContent = t('status_page.sending_follow_up');
      waitForThread(shownCount, [700, 1500, 3000, 5000, 8000]);
      return;
    }
    var fields = T.fieldErrors(res);
    var placed = false;
    if (fields.attachments) { T.setFieldError('followup-file', String(fields.attachments)); placed = true; }
    if (fields.body) { T.setFieldError('followup-body', String(fields.body)); placed = true; }
    if (!placed) { T.setFieldError('followup-body', T.errorMessage(res)); }
    T.focusFirstInvalid(followForm);
  });

  fileInput.addEventListener('change', function () {
    T.setFieldError('followup-file', checkFile());
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
      // A complaint given a PIN is looked up with it, not a contact.
      var pin = document.getElementById('pin');
      (saved && saved.pin && pin ? pin : document.getElementById('contact')).focus();
    }
  })();

  // notify: a signed link from a notification prefilled both fields on
  // the server; open the complaint at once.
  if (form.getAttribute('data-auto-lookup') === '1' && document.getElementById('contact').value) {
    form.requestSubmit();
  }
})();
