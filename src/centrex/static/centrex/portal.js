/* Centrex Portal — the pages' few behaviours, bound by data attributes (no inline script: the
   Content-Security-Policy allows scripts from this site only, centrex/core/security.py).
   Every page works without it; it only spares a click or a reload. */
(function () {
  "use strict";

  /* <select data-submit-on-change>: choosing submits its form (the footer's language). */
  function submitOnChange(root) {
    root.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  /* <form data-confirm="question">: submits only if the person confirms. */
  function confirmBeforeSubmit(event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }

  /* <span data-countdown-seconds="N" data-countdown-enables="id">: the number in its text
     counts down each second; at zero the element hides and the button `id` is enabled again
     (R-M2: a new code 60 s after the last; the server checks it too). */
  function countDown(root) {
    root.querySelectorAll("[data-countdown-seconds]").forEach(function (wait) {
      var button = document.getElementById(wait.dataset.countdownEnables);
      var left = parseInt(wait.dataset.countdownSeconds, 10), template = wait.textContent;
      var timer = window.setInterval(function () {
        left -= 1;
        if (left <= 0) {
          window.clearInterval(timer);
          if (button) { button.disabled = false; }
          wait.hidden = true;
          return;
        }
        wait.textContent = template.replace(/\d+/, String(left));
      }, 1000);
    });
  }

  document.addEventListener("submit", confirmBeforeSubmit);
  document.addEventListener("DOMContentLoaded", function () {
    submitOnChange(document);
    countDown(document);
  });
})();
