// Rating card of the status page: opened by the survey link
// (/pengaduan/status?csat=<token>) that the solve notification carries.
// The citizen picks 1–5 (radio buttons, each with its words, not colour
// alone) and may add a comment; a link is answered once and expires.
(function () {
  'use strict';
  var T = window.Tanggap;
  var t = T.t;
  var card = document.getElementById('csat-card');
  if (!card) { return; }
  var token = new URLSearchParams(window.location.search).get('csat');
  if (!token) { return; }
  var form = document.getElementById('csat-form');
  var status = document.getElementById('csat-status');
  var ratingError = document.getElementById('csat-rating-error');
  var sendBtn = document.getElementById('csat-send');
  var path = '/api/v1/public/csat/' + encodeURIComponent(token);

  function done(text) {
    form.hidden = true;
    status.textContent = text;
  }

  async function open() {
    var res = await T.api('GET', path);
    card.hidden = false;
    if (!res.ok) {
      done(T.errorMessage(res));
      card.focus();
      return;
    }
    document.getElementById('csat-tn').textContent = res.data.tracking_number;
    if (res.data.rated) {
      done(t('csat.already_rated', { rating: res.data.rating }));
    }
    card.focus();
  }

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var picked = form.querySelector('input[name="rating"]:checked');
    ratingError.hidden = !!picked;
    if (!picked) {
      ratingError.textContent = t('csat.pick_rating');
      form.querySelector('input[name="rating"]').focus();
      return;
    }
    sendBtn.disabled = true;
    status.textContent = t('csat.sending');
    var res = await T.api('POST', path, {
      rating: parseInt(picked.value, 10),
      comment: document.getElementById('csat-comment').value
    });
    sendBtn.disabled = false;
    if (res.ok) {
      done(t('csat.thanks'));
    } else {
      status.textContent = T.errorMessage(res);
    }
  });

  open();
})();
