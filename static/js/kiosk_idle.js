// The kiosk's answer form goes back to the roster after a minute without a tap, so a
// half-answered form is not left for the next person (a meta refresh in <noscript> does
// it without a script, whatever the taps).
(function () {
  "use strict";
  var form = document.querySelector("[data-kiosk-idle]");
  if (!form) return;
  var seconds = parseInt(form.getAttribute("data-kiosk-idle"), 10) || 60;
  var roster = form.getAttribute("data-kiosk-roster");
  var timer = null;
  function restart() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () { window.location.replace(roster); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "change", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
