// WhatsApp part of the agent console: shows whether the 24-hour customer
// service window of the open ticket is open and until when, and sends an
// approved template when it is closed (free text is then refused by the
// API). It listens to the console's "tanggap:ticket" event and asks for a
// refresh with "tanggap:refresh" after sending.
(function () {
  'use strict';
  var T = window.Tanggap;
  var t = T.t;
  var $ = function (id) { return document.getElementById(id); };
  var panel = $('wa-panel');
  if (!panel) { return; }
  var form = $('wa-template-form');
  var select = $('wa-template');
  var params = $('wa-params');
  var current = null; // the ticket shown
  var shownTemplates = '';

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    return d.toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  function chosen() {
    var i = select.selectedIndex;
    return i >= 0 && current && current.reply_window ? current.reply_window.templates[i] : null;
  }

  function renderParams() {
    params.textContent = '';
    var tpl = chosen();
    (tpl && tpl.params || []).forEach(function (name, i) {
      var id = 'wa-param-' + i;
      params.appendChild(T.el('div', { 'class': 'field' }, [
        T.el('label', { 'for': id, text: name }),
        T.el('input', { id: id, type: 'text', required: 'required', maxlength: '1024' })
      ]));
    });
  }

  function render(tk) {
    current = tk;
    var w = tk && tk.reply_window;
    panel.hidden = !w;
    if (!w) { return; }
    var note = $('wa-window');
    note.textContent = w.open ? t('console.wa_window_open', { until: when(w.until) }) : t('console.wa_window_closed');
    note.className = 'wa-window ' + (w.open ? 'wa-open' : 'wa-closed');
    if (!w.open) { $('reply-form').hidden = true; } // free text would be refused
    $('wa-buttons-field').hidden = !w.open || tk.status === 'closed';
    var templates = Array.isArray(w.templates) ? w.templates : [];
    form.hidden = w.open || templates.length === 0 || tk.status === 'closed';
    var sig = JSON.stringify(templates);
    if (sig !== shownTemplates) {
      shownTemplates = sig;
      select.textContent = '';
      templates.forEach(function (tpl) {
        select.appendChild(T.el('option', { text: tpl.name + ' (' + tpl.language + ')' }));
      });
      renderParams();
    }
  }

  document.addEventListener('tanggap:ticket', function (ev) { render(ev.detail); });

  // Quick reply buttons ride along with a free-text reply: titles separated
  // by commas, at most three; the citizen's tap comes back as its text.
  document.addEventListener('tanggap:reply', function (ev) {
    if (panel.hidden || $('wa-buttons-field').hidden) { return; }
    var titles = $('wa-buttons').value.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
    if (titles.length) {
      ev.detail.buttons = titles.map(function (title, i) { return { id: 'btn-' + (i + 1), title: title }; });
    }
  });
  document.addEventListener('tanggap:replied', function () { $('wa-buttons').value = ''; });
  select.addEventListener('change', renderParams);

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var tpl = chosen();
    if (!tpl || !current) { return; }
    var values = Array.prototype.map.call(params.querySelectorAll('input'), function (i) { return i.value.trim(); });
    T.clearFieldErrors(form);
    T.busy($('wa-template-btn'), true, t('complaint.sending'));
    var res = await T.api('POST', '/api/v1/tickets/' + encodeURIComponent(current.id) + '/messages',
      { template: { name: tpl.name, language: tpl.language, params: values } });
    T.busy($('wa-template-btn'), false);
    if (res.ok) {
      params.querySelectorAll('input').forEach(function (i) { i.value = ''; });
      T.setText('ticket-live', t('console.reply_sent'));
      document.dispatchEvent(new CustomEvent('tanggap:refresh'));
      return;
    }
    var fields = res.data && res.data.error && res.data.error.fields || {};
    T.setFieldError('wa-template', fields.template ? String(fields.template) : T.errorMessage(res));
  });
})();
