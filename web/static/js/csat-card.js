// Rating card of the status page, opened two ways: by the survey link
// (/pengaduan/status?csat=<token>) that the solve notification carries, and
// after a status lookup of a solved ticket whose survey waits for an
// answer (status.js calls Tanggap.csatCard.open with the token the lookup
// returned). The citizen picks 1–5 (radio buttons, each with its words,
// not colour alone) and may add a comment; a survey is answered once
// (a second answer is refused kindly) and expires. A survey rated without
// a comment (a WhatsApp tap, the keypad, a form left blank) shows the
// rating given and takes one comment afterwards; one with its comment
// just says it is rated.
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
  var commentForm = document.getElementById('csat-comment-form');
  var commentBox = document.getElementById('csat-comment-later');
  var commentBtn = document.getElementById('csat-comment-send');
  var introBox = document.getElementById('csat-intro');
  var introText = document.getElementById('csat-intro-text');
  var cardError = document.getElementById('csat-error');
  var intro = introText.textContent;
  var ratingWords = ['csat.rating_1', 'csat.rating_2', 'csat.rating_3', 'csat.rating_4', 'csat.rating_5'];
  var path = '';
  var from = '';
  var sending = false;

  function done(text) {
    var hadFocus = form.contains(document.activeElement) || commentForm.contains(document.activeElement);
    form.hidden = true;
    commentForm.hidden = true;
    status.textContent = text;
    if (hadFocus) { card.focus(); } // not dropped to the page with the form
  }

  // showCommentError sets (or, with '', clears) the comment box's error.
  function showCommentError(text) { T.setFieldError('csat-comment-later', text); }

  function reset() {
    form.hidden = false;
    form.reset();
    ratingError.hidden = true;
    ratingError.textContent = '';
    commentForm.hidden = true;
    commentForm.reset();
    showCommentError('');
    introText.textContent = intro;
    introBox.hidden = false;
    T.showAlert(cardError, '', false);
    status.textContent = '';
  }

  // refused shows why the survey takes no answer (a link that is not one,
  // expired, its ticket gone) as an error, and nothing else: no intro
  // saying the complaint is resolved, no form.
  function refused(text) {
    form.hidden = true;
    commentForm.hidden = true;
    introBox.hidden = true;
    status.textContent = '';
    T.showAlert(cardError, text, false);
  }

  // rated shows the rating given and the box for the one comment that may
  // follow it.
  function rated(rating) {
    form.hidden = true;
    introText.textContent = t('csat.comment_intro');
    document.getElementById('csat-given').textContent = t('csat.given', { rating: rating, words: t(ratingWords[rating - 1]) });
    commentForm.hidden = false;
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
      refused(T.errorMessage(res));
      if (focus !== false) { card.focus(); }
      return;
    }
    document.getElementById('csat-tn').textContent = res.data.tracking_number;
    if (res.data.rated && !res.data.commented && res.data.rating >= 1 && res.data.rating <= 5) {
      rated(res.data.rating);
    } else if (res.data.rated) {
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

  // The comment after the rating: the same endpoint, without a rating.
  commentForm.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    if (!path || sending) { return; }
    var comment = commentBox.value.trim();
    if (!comment) {
      showCommentError(t('csat.comment_required'));
      commentBox.focus();
      return;
    }
    showCommentError('');
    sending = true;
    T.busy(commentBtn, true);
    status.textContent = t('csat.comment_sending');
    var body = { comment: comment };
    if (from) { body.from = from; }
    var res = await T.api('POST', path, body);
    T.busy(commentBtn, false);
    sending = false;
    if (res.ok) {
      done(t('csat.comment_thanks'));
    } else if (res.status === 409 || res.status === 410) {
      // Commented already (another tab) or expired: nothing to retry.
      done(T.errorMessage(res));
    } else if (T.fieldErrors(res).comment) {
      status.textContent = '';
      showCommentError(T.fieldErrors(res).comment);
      commentBox.focus();
    } else {
      status.textContent = T.errorMessage(res);
    }
  });

  T.csatCard = { open: open, hide: hide };

  var token = new URLSearchParams(window.location.search).get('csat');
  if (token) { open(token, ''); }
})();
