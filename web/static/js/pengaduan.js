// Complaint form: loads the categories, checks the obvious mistakes before
// sending, posts the form as multipart/form-data and shows the tracking
// number, or the server's errors next to the fields they concern.
(function () {
  'use strict';
  var T = window.Tanggap;
  var t = T.t;

  var form = document.getElementById('complaint-form');
  if (!form) { return; }
  var alertBox = document.getElementById('form-alert');
  var submitBtn = document.getElementById('submit-btn');
  // The button (id attachments: the field the server's errors name) opens
  // the hidden file field.
  var fileInput = document.getElementById('attachments-input');
  var fileButton = document.getElementById('attachments');
  fileButton.addEventListener('click', function () { fileInput.click(); });
  var fileList = document.getElementById('file-list');
  var category = document.getElementById('category');
  var live = document.getElementById('live');

  var maxFiles = parseInt(form.dataset.maxFiles, 10) || 3;
  var maxBytes = parseInt(form.dataset.maxBytes, 10) || 5 * 1024 * 1024;
  var maxMB = form.dataset.maxMb || String(Math.round(maxBytes / 1048576));
  var allowedTypes = ['image/jpeg', 'image/png', 'application/pdf'];
  var allowedExt = /\.(jpe?g|png|pdf)$/i;
  // The server's field names for the inputs of this form.
  var fieldIds = ['name', 'phone', 'email', 'nik', 'category', 'description', 'attachments', 'kind', 'anonymous', 'confidential'];

  // Complaint lifecycle: kind, anonymous and confidential. An anonymous
  // complaint needs (and sends) no identity; a sensitive category ticks
  // "confidential" unless the citizen unticked it themselves.
  var anonymous = document.getElementById('anonymous');
  var confidential = document.getElementById('confidential');
  var sensitiveHint = document.getElementById('sensitive-hint');
  var sensitive = [];
  var confidentialTouched = false;
  function isAnonymous() { return !!(anonymous && anonymous.checked); }
  function applyPrivacy() {
    if (!anonymous) { return; }
    var anon = anonymous.checked;
    document.getElementById('contact-fields').hidden = anon;
    document.getElementById('confidential-field').hidden = anon;
    var isSensitive = sensitive.indexOf(category.value) >= 0;
    sensitiveHint.hidden = !isSensitive || anon;
    if (!confidentialTouched) { confidential.checked = isSensitive; }
  }
  async function loadLifecycle() {
    if (!anonymous) { return; }
    var res = await T.api('GET', '/api/v1/complaints/form/options');
    if (res.ok && res.data && Array.isArray(res.data.sensitive_categories)) { sensitive = res.data.sensitive_categories; }
    applyPrivacy();
  }
  function appendLifecycle(data) {
    data.append('kind', document.getElementById('kind').value);
    if (!anonymous) { return; }
    data.append('anonymous', anonymous.checked ? 'true' : 'false');
    data.append('confidential', !anonymous.checked && confidential.checked ? 'true' : 'false');
  }
  function showPIN(pin) {
    var box = document.getElementById('pin-box');
    if (!box) { return; }
    box.hidden = !pin;
    document.getElementById('pin-number').textContent = pin || '';
    // The PIN is shown once: the copy button takes it along with the
    // number, so what the citizen keeps is enough to follow the report up.
    var copy = document.getElementById('copy-tn');
    if (pin) { copy.textContent = copy.getAttribute('data-with-pin'); }
  }
  if (anonymous) {
    anonymous.addEventListener('change', applyPrivacy);
    confidential.addEventListener('change', function () { confidentialTouched = true; });
    category.addEventListener('change', applyPrivacy);
  }

  // One idempotency key per form fill, sent again with every retry: when
  // an answer is lost (the network drops after the server took the
  // complaint), sending again returns the first tracking number instead
  // of filing a second complaint. A new key only after a success.
  var submissionKey = newKey();

  function newKey() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') { return c.randomUUID(); }
    // randomUUID needs a secure context; getRandomValues does not.
    var b = new Uint8Array(16);
    c.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }

  async function loadCategories() {
    var res = await T.api('GET', '/api/v1/complaints/categories');
    if (!res.ok || !Array.isArray(res.data)) {
      T.showAlert(alertBox, t('complaint.categories_error'), false);
      return;
    }
    res.data.forEach(function (c) {
      if (!c || !c.code) { return; }
      category.appendChild(T.el('option', { value: c.code, text: c.label || T.label('category.', c.code) }));
    });
  }

  // chosen are the files to send. They are kept here, not in the file
  // field, so that a second pick adds to the first instead of replacing it,
  // and each file can be taken out on its own (a photo too large among
  // three); the field is emptied after each pick.
  var chosen = [];
  var sameFile = function (a, b) { return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified; };

  function describeFiles() {
    fileList.textContent = '';
    chosen.forEach(function (f, i) {
      fileList.appendChild(T.el('li', null, [
        T.el('span', { 'class': 'file-name', text: f.name }), ' (' + T.fileSize(f.size) + ') ',
        T.el('button', { type: 'button', 'class': 'btn btn-link btn-small file-remove', 'data-index': String(i),
          'aria-label': t('files.remove', { name: f.name }), text: t('files.remove_short') }),
      ]));
    });
    document.getElementById('attachments-count').textContent = chosen.length ? t('files.count', { n: chosen.length }) : t('files.none_chosen');
  }

  function checkFiles() {
    var files = chosen;
    if (files.length > maxFiles) { return t('validation.too_many_files', { max: maxFiles }); }
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      var typeOK = allowedTypes.indexOf(f.type) >= 0 || (!f.type && allowedExt.test(f.name));
      if (!typeOK) { return t('complaint.file_error', { name: f.name, error: t('validation.file_type') }); }
      if (f.size > maxBytes) { return t('complaint.file_error', { name: f.name, error: t('validation.file_too_large', { max: maxMB }) }); }
    }
    return '';
  }

  // validate catches what the browser can know for sure; everything else
  // (phone and NIK rules, lengths) is the server's to judge.
  function validate() {
    var errs = {};
    var v = function (id) { return document.getElementById(id).value.trim(); };
    if (!v('name') && !isAnonymous()) { errs.name = t('validation.required'); }
    if (!v('phone') && !v('email') && !isAnonymous()) {
      errs.phone = t('validation.contact_required');
      errs.email = t('validation.contact_required');
    }
    var email = document.getElementById('email');
    if (v('email') && email.validity && email.validity.typeMismatch) { errs.email = t('validation.email_invalid'); }
    var nik = v('nik').replace(/[\s.-]/g, '');
    if (nik && !isAnonymous() && !/^\d{16}$/.test(nik)) { errs.nik = t('validation.nik_format'); }
    if (!v('category')) { errs.category = t('validation.required'); }
    if (!v('description')) { errs.description = t('validation.required'); }
    var fileErr = checkFiles();
    if (fileErr) { errs.attachments = fileErr; }
    return errs;
  }

  function showErrors(message, fields) {
    var unplaced = [];
    Object.keys(fields).forEach(function (name) {
      if (fieldIds.indexOf(name) < 0 || !T.setFieldError(name, String(fields[name]))) {
        unplaced.push(String(fields[name]));
      }
    });
    T.showAlert(alertBox, [message].concat(unplaced).join(' '), false);
    if (!T.focusFirstInvalid(form)) { alertBox.focus(); }
  }

  function showSuccess(tn, pin) {
    form.hidden = true;
    // The intro asks for the form to be filled in; with the form gone it
    // would name a step that no longer exists.
    var intro = document.getElementById('complaint-intro');
    if (intro) { intro.hidden = true; }
    T.showAlert(alertBox, '', false);
    T.trackingNumber('tracking-number', tn);
    showPIN(pin);
    // A complaint given a PIN (anonymous or confidential) is followed up
    // with its PIN only: its ticket keeps no phone number or email to
    // match, so the text says so instead of naming them.
    var body = document.getElementById('success-body');
    body.textContent = pin ? body.getAttribute('data-with-pin') : body.getAttribute('data-with-contact');
    var link = document.getElementById('status-link');
    link.href = '/pengaduan/status?tn=' + encodeURIComponent(tn);
    // The contact stays in this tab only, so the status page can be
    // prefilled without putting a phone number or email in the URL.
    var contact = pin ? '' : (document.getElementById('phone').value.trim() || document.getElementById('email').value.trim());
    try { sessionStorage.setItem('tanggap.lookup', JSON.stringify({ tn: tn, contact: contact, pin: !!pin })); } catch (e) { /* storage off */ }
    var panel = document.getElementById('complaint-success');
    panel.hidden = false;
    panel.focus();
    window.scrollTo(0, 0);
  }

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    T.clearFieldErrors(form);
    T.showAlert(alertBox, '', false);
    var errs = validate();
    if (Object.keys(errs).length) {
      showErrors(t('complaint.errors_summary'), errs);
      return;
    }
    var data = new FormData();
    // An anonymous complaint sends no identity, not even what was typed
    // before the box was ticked (the fields are only hidden).
    var fields = isAnonymous() ? ['category', 'description'] : ['name', 'phone', 'email', 'nik', 'category', 'description'];
    fields.forEach(function (id) {
      data.append(id, document.getElementById(id).value.trim());
    });
    chosen.forEach(function (f) { data.append('attachments', f, f.name); });
    appendLifecycle(data);

    T.busy(submitBtn, true, t('complaint.sending'));
    live.textContent = t('complaint.sending');
    var res = await T.api('POST', '/api/v1/complaints', data, { 'Idempotency-Key': submissionKey });
    T.busy(submitBtn, false);
    live.textContent = '';
    if (res.status === 201 && res.data && res.data.tracking_number) {
      submissionKey = newKey();
      showSuccess(String(res.data.tracking_number), res.data.pin ? String(res.data.pin) : '');
      return;
    }
    // Fields the server refused read as the browser's own check does;
    // anything else (busy, offline) says what happened.
    var refused = T.fieldErrors(res);
    showErrors(res.status === 422 && Object.keys(refused).length ? t('complaint.errors_summary') : T.errorMessage(res), refused);
  });

  // addFiles takes files picked with the button or dropped on the field.
  function addFiles(files) {
    var picked = Array.prototype.slice.call(files || []);
    var added = picked.filter(function (f) {
      return !chosen.some(function (c) { return sameFile(c, f); });
    });
    chosen = chosen.concat(added);
    describeFiles();
    T.setFieldError('attachments', checkFiles());
    if (added.length) {
      var last = added[added.length - 1];
      live.textContent = t('files.attached', { name: last.name, size: T.fileSize(last.size) });
    } else if (picked.length) {
      // The same file picked again: said, not silently ignored.
      live.textContent = t('files.already_chosen', { name: picked[0].name });
    }
  }
  fileInput.addEventListener('change', function () {
    addFiles(fileInput.files);
    fileInput.value = '';
  });
  // Files dragged onto the field are taken as if picked (the browser's own
  // file field, hidden behind the button, took them before).
  var dropZone = fileButton.closest('.field');
  var hasFiles = function (ev) { return ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types || [], 'Files') >= 0; };
  dropZone.addEventListener('dragover', function (ev) {
    if (!hasFiles(ev)) { return; }
    ev.preventDefault();
    dropZone.classList.add('drop-target');
  });
  dropZone.addEventListener('dragleave', function (ev) {
    if (!dropZone.contains(ev.relatedTarget)) { dropZone.classList.remove('drop-target'); }
  });
  dropZone.addEventListener('drop', function (ev) {
    dropZone.classList.remove('drop-target');
    if (!hasFiles(ev)) { return; }
    ev.preventDefault();
    addFiles(ev.dataTransfer.files);
  });
  fileList.addEventListener('click', function (ev) {
    var btn = ev.target.closest('.file-remove');
    if (!btn) { return; }
    var i = Number(btn.getAttribute('data-index'));
    var gone = chosen.splice(i, 1)[0];
    describeFiles();
    T.setFieldError('attachments', checkFiles());
    if (gone) { live.textContent = t('files.removed', { name: gone.name }); }
    // The focus stays in the list (the file now in that place), else goes
    // back to the field.
    var next = fileList.querySelectorAll('.file-remove')[Math.min(i, chosen.length - 1)];
    (next || fileButton).focus();
  });

  document.getElementById('copy-tn').addEventListener('click', async function () {
    var tn = document.getElementById('tracking-number').textContent;
    var pin = document.getElementById('pin-box') && !document.getElementById('pin-box').hidden ? document.getElementById('pin-number').textContent : '';
    var text = pin ? t('complaint.tracking_number') + ': ' + tn + '\n' + t('lifecycle.form.pin_title') + ': ' + pin : tn;
    try {
      await navigator.clipboard.writeText(text);
      live.textContent = t(pin ? 'complaint.copied_with_pin' : 'complaint.copied');
    } catch (e) {
      // Clipboard refused (insecure origin or permission): select the
      // number (and the PIN) so the citizen can copy them by hand.
      var range = document.createRange();
      range.setStartBefore(document.getElementById('tracking-number'));
      range.setEndAfter(document.getElementById(pin ? 'pin-number' : 'tracking-number'));
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  });

  loadCategories();
  loadLifecycle();
})();
