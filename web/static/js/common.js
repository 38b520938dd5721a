// Shared helpers of every page: translations handed over by the server,
// JSON API calls, field error display and safe element building.
// User-supplied text is only ever set with textContent, never innerHTML.
(function () {
  'use strict';

  var dict = {};
  var blob = document.getElementById('i18n');
  if (blob) {
    try { dict = JSON.parse(blob.textContent) || {}; } catch (e) { dict = {}; }
  }
  var lang = document.documentElement.getAttribute('data-lang') || 'id-ID';
  var own = Object.prototype.hasOwnProperty;

  function has(key) { return own.call(dict, key); }

  // t renders a translation; args fill {name} placeholders.
  function t(key, args) {
    var s = has(key) ? dict[key] : key;
    if (args) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return own.call(args, name) ? String(args[name]) : m;
      });
    }
    return s;
  }

  // label translates prefix + code when a translation exists, else shows
  // the fallback (or the raw code) so an unknown value is still readable.
  function label(prefix, code, fallback) {
    if (code && has(prefix + code)) { return dict[prefix + code]; }
    return fallback || code || '';
  }

  // api calls the JSON API. It never throws: a network failure comes back
  // as status 0 so callers show one kind of error. extra adds request
  // headers (optional).
  async function api(method, url, body, extra) {
    var headers = {
      'Accept': 'application/json',
      'Accept-Language': lang,
      'X-Requested-With': 'tanggap'
    };
    if (extra) { Object.keys(extra).forEach(function (k) { headers[k] = extra[k]; }); }
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var res;
    try {
      res = await fetch(url, init);
    } catch (e) {
      return { ok: false, status: 0, data: null };
    }
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { ok: res.ok, status: res.status, data: data };
  }

  // errorMessage is the text to show for a failed call: the server's own
  // localized message when it sent one, else a generic one by status.
  function errorMessage(res) {
    if (res.data && res.data.error && typeof res.data.error.message === 'string' && res.data.error.message) {
      return res.data.error.message;
    }
    switch (res.status) {
      case 0: return t('error.network');
      case 400: return t('error.bad_request');
      case 401: return t('error.unauthorized');
      case 403: return t('error.forbidden');
      case 404: return t('error.not_found');
      case 413: return t('error.too_large');
      case 422: return t('error.validation');
      case 429: return t('error.rate_limited');
      case 502: case 503: case 504: return t('error.unavailable');
      default: return t('error.internal');
    }
  }

  function fieldErrors(res) {
    var f = res.data && res.data.error && res.data.error.fields;
    return (f && typeof f === 'object') ? f : {};
  }

  // el builds an element; attrs are set as attributes (or as text for
  // "text"), children are nodes or strings (added as text nodes).
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === 'text') { node.textContent = String(v); } else { node.setAttribute(k, v === true ? '' : String(v)); }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function setText(id, text) {
    var n = document.getElementById(id);
    if (n) { n.textContent = text === null || text === undefined ? '' : String(text); }
  }

  // showAlert fills an alert box; an empty text hides it.
  function showAlert(node, text, focus) {
    if (!node) { return; }
    node.textContent = text || '';
    node.hidden = !text;
    if (text && focus) { node.focus(); }
  }

  // setFieldError shows msg under the input with id and marks it invalid.
  // The error element is always listed in the input's aria-describedby.
  function setFieldError(id, msg) {
    var input = document.getElementById(id);
    var err = document.getElementById(id + '-error');
    if (!input || !err) { return false; }
    err.textContent = msg || '';
    err.hidden = !msg;
    if (msg) { input.setAttribute('aria-invalid', 'true'); } else { input.removeAttribute('aria-invalid'); }
    var field = input.closest('.field');
    if (field) { field.classList.toggle('field-invalid', !!msg); }
    return true;
  }

  function clearFieldErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (input) {
      setFieldError(input.id, '');
    });
  }

  // focusFirstInvalid moves focus to the first invalid control in
  // document order, so keyboard and screen reader users land on it.
  function focusFirstInvalid(form) {
    var first = form.querySelector('[aria-invalid="true"]');
    if (first) { first.focus(); return true; }
    return false;
  }

  var dateFmt;
  try {
    dateFmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  } catch (e) {
    dateFmt = null;
  }
  function formatDate(iso) {
    if (!iso) { return ''; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return String(iso); }
    return dateFmt ? dateFmt.format(d) : d.toLocaleString();
  }

  // formatDeadline is formatDate for a time something is due by: a
  // deadline at midnight is the end of the day before, and reads so
  // ("9 Des 2026, 23.59", not "10 Des 2026, 00.00", which a citizen takes
  // for the day after).
  function formatDeadline(iso) {
    if (!iso) { return ''; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return String(iso); }
    if (d.getHours() === 0 && d.getMinutes() === 0) { d = new Date(d.getTime() - 60000); }
    return dateFmt ? dateFmt.format(d) : d.toLocaleString();
  }

  // fileSize is a file's size in KB or MB with the decimal sign of the
  // page's language ("1,5 MB" in Bahasa Indonesia).
  var mbFmt;
  try {
    mbFmt = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  } catch (e) {
    mbFmt = null;
  }
  function fileSize(n) {
    if (n < 1048576) { return Math.max(1, Math.round(n / 1024)) + ' KB'; }
    var mb = n / 1048576;
    return (mbFmt ? mbFmt.format(mb) : mb.toFixed(1)) + ' MB';
  }

  // A busy button that has the focus keeps it: disabling it would drop
  // the focus to the start of the page, where a screen reader starts over
  // and a keyboard user loses their place. It refuses presses instead
  // (aria-disabled) until the work is done; any other busy button is
  // disabled.
  function refuseWhileBusy(ev) {
    if (this.getAttribute('aria-disabled') === 'true') {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }
  function busy(button, on, text) {
    if (!button) { return; }
    if (on) {
      button.dataset.label = button.textContent;
      if (text) { button.textContent = text; } // without one the label stays
      button.setAttribute('aria-busy', 'true');
      if (document.activeElement === button) {
        button.setAttribute('aria-disabled', 'true');
        if (!button.dataset.busyGuard) {
          button.addEventListener('click', refuseWhileBusy, true);
          button.dataset.busyGuard = '1';
        }
      } else {
        button.disabled = true;
      }
    } else {
      if (button.dataset.label) { button.textContent = button.dataset.label; }
      button.disabled = false;
      button.removeAttribute('aria-disabled');
      button.removeAttribute('aria-busy');
    }
  }

  // trackingNumber fills node with a tracking number that wraps only
  // between its digit groups; its text stays the number itself.
  function trackingNumber(node, tn) {
    if (typeof node === 'string') { node = document.getElementById(node); }
    if (!node) { return; }
    node.textContent = '';
    var groups = String(tn || '').split('-');
    groups.forEach(function (g, i) {
      if (i > 0) { node.appendChild(document.createElement('wbr')); }
      node.appendChild(el('span', { 'class': 'tn-group', text: g + (i < groups.length - 1 ? '-' : '') }));
    });
  }

  window.Tanggap = {
    lang: lang,
    t: t,
    has: has,
    label: label,
    api: api,
    errorMessage: errorMessage,
    fieldErrors: fieldErrors,
    el: el,
    setText: setText,
    showAlert: showAlert,
    setFieldError: setFieldError,
    clearFieldErrors: clearFieldErrors,
    focusFirstInvalid: focusFirstInvalid,
    formatDate: formatDate,
    formatDeadline: formatDeadline,
    fileSize: fileSize,
    trackingNumber: trackingNumber,
    busy: busy
  };
})();
