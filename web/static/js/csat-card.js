// Rating card of the status page, opened two ways: by the survey link
// (/pengaduan/status?csat=<token>) that the solve notification carries, and
// after a status lookup of a solved ticket whose survey waits for an
// answer (status.js calls Tanggap.csatCard.open with the token the lookup
// returned). The citizen picks 1–5 (radio buttons, each with its words,
// not colour alone) and may add a comment; a survey is answered once
// (a second answer is refused kindly) and expires.
(function () {
  'use strict';
  var T = window.Tanggap;
  var t = T.t;
  var card = document.getElementById('csat-card');
  if (!card) { return; }
  var form = document.getElementById('csat-form');
  var status = document.getElementById('csat-status');
  var ratingError = document.getElementById('csat-rating-error');
  var sendBtn = document.getElementById('csat-send');
  var path = '';
  var from = '';
  var sending = false;

  function done(text) {
    var hadFocus = form.contains(document.activeElement);
    form.hidden = true;
    status.textContent = text;
    if (hadFocus) { card.focus(); } // not dropped to the page with the form
  }

  function reset() {
    form.hidden = false;
    form.reset();
    ratingError.hidden = true;
    ratingError.textContent = '';
    status.textContent = '';
  }

  // open shows the card of token; by is "status_page" after a lookup
  // ("" for the link); focus false leaves the focus where it is. It
  // resolves once the card is shown.
  async function open(token, by, focus) {
    path = '/api/v1/public/csat/' + encodeURIComponent(token);
    from = by || '';
    reset();
    var res = await T.api('GET', path);
    card.hidden = false;
    if (!res.ok) {
      done(T.errorMessage(res));
      if (focus !== false) { card.focus(); }
      return;
    }
    document.getElementById('csat-tn').textContent = res.data.tracking_number;
    if (res.data.rated) {
      done(t('csat.already_rated', { rating: res.data.rating }));
    }
    if (focus !== false) { card.focus(); }
  }

  function hide() {
    card.hidden = true;
    path = '';
  }

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    if (!path || sending) { return; } // Enter on a rating while one is on its way
    var picked = form.querySelector('input[name="rating"]:checked');
    ratingError.hidden = !!picked;
    if (!picked) {
      ratingError.textContent = t('csat.pick_rating');
      form.querySelector('input[name="rating"]').focus();
      return;
    }
    // Busy, not disabled: the focused Send button keeps the focus until
    // done() hands it to the card.
    sending = true;
    T.busy(sendBtn, true);
    status.textContent = t('csat.sending');
    var body = { rating: parseInt(picked.value, 10), comment: document.getElementById('csat-comment').value };
    if (from) { body.from = from; }
    var res = await T.api('POST', path, body);
    T.busy(sendBtn, false);
    sending = false;
    if (res.ok) {
      done(t('csat.thanks'));
    } else if (res.status === 409 || res.status === 410) {
      // Rated already (another tab, the link) or expired: nothing to retry.
      done(T.errorMessage(res));
    } else {
      status.textContent = T.errorMessage(res);
    }
  });

  T.csatCard = { open: open, hide: hide };

  var token = new URLSearchParams(window.location.search).get('csat');
  if (token) { open(token, ''); }
})();
