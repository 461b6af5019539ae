// Kiosk pages go back to the roster after a while without a tap: the answer form, so a
// half-answered form is not left for the next person; the thanks and the crisis
// resources, for the next person; the roster itself reloads for its checked-in marks and
// to close after the session. A meta refresh in <noscript> does it without a script,
// whatever the taps; with one, a tap or a key puts it off, so nobody is moved on while
// they read or answer (WCAG 2.2.1).
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
