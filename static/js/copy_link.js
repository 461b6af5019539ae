// "Copy" buttons: <button data-copy-target="field-id" data-copy-status="status-id" hidden>.
//
// The button stays hidden without JavaScript (the field can still be selected by hand).
// navigator.clipboard needs a secure context and may be refused; then the field's text
// is selected and copied the old way, and if even that fails it stays selected with a
// hint, so a cheap phone's "Copy" menu is one tap away. The status element is
// aria-live, so screen readers hear "Copied".
(function () {
  "use strict";

  function copyBySelecting(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function wire(button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field || !status) return;
    var clear = null;

    function say(text) {
      // Emptied first so that a second "Copied" is announced again.
      status.textContent = "";
      window.clearTimeout(clear);
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
      clear = window.setTimeout(function () {
        status.textContent = "";
      }, 6000);
    }

    function fallback() {
      say(copyBySelecting(field) ? "Copied" : "The link is selected: copy it from your phone’s menu.");
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say("Copied");
        }, fallback);
      } else {
        fallback();
      }
    });
    button.hidden = false;
  }

  document.querySelectorAll("[data-copy-target]").forEach(wire);
})();
