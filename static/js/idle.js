// Automatic logoff for staff (sessions_app/idle.py tells the whole story).
//
// The server keeps the time of the last activity; this script keeps a deadline it
// learns from the server. Typing or tapping pings the keepalive at most once every
// `ping` seconds, so someone writing a long note is never signed out. A warning with a
// "Stay signed in" button opens `warning` seconds before the deadline. At the deadline
// the changed fields of every form marked data-keep-draft go to the expire endpoint,
// which keeps them on the server (never in this browser: tablets are shared), signs
// out, and answers the login page to go to. A draft kept for this page comes back as
// the "kept-draft" JSON and is put back into the form.
(function () {
  "use strict";
  var dialog = document.getElementById("idle-warning");
  if (!dialog) return;
  var cfg = dialog.dataset;
  var WARNING = Number(cfg.warning) * 1000;
  var PING = Number(cfg.ping) * 1000;
  var RETRY = 5000;
  var SKIPPED = ["hidden", "password", "file", "submit", "button", "reset", "image"];

  var deadline = Date.now() + Number(cfg.left) * 1000;
  var lastPing = Date.now(); // loading the page was activity on the server
  var timer = null;
  var pendingPing = null;
  var countdown = null;
  var expiring = false;

  var countdownText = dialog.querySelector("[data-idle-countdown]");
  var announce = dialog.querySelector("[data-idle-announce]");
  var stay = dialog.querySelector("[data-idle-stay]");

  function request(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    };
    if (method === "POST") {
      options.headers["X-CSRFToken"] = cfg.csrf;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body || {});
    }
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  // --- When: the deadline, the warning, and asking the server before acting ----------

  function learn(answer) {
    if (!answer.signed_in) {
      expire();
      return;
    }
    deadline = Date.now() + answer.left * 1000;
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    var now = Date.now();
    if (now >= deadline) {
      check();
    } else if (now >= deadline - WARNING) {
      showWarning();
      // A moment past the deadline, so the server agrees it has passed.
      timer = setTimeout(check, deadline - now + 500);
    } else {
      hideWarning();
      timer = setTimeout(check, deadline - WARNING - now);
    }
  }

  // Another tab may have kept the session alive: ask (a GET is not activity).
  function check() {
    request("GET", cfg.keepaliveUrl)
      .then(function (answer) {
        if (!answer.signed_in || answer.left <= 0) expire();
        else learn(answer);
      })
      .catch(function () {
        timer = setTimeout(check, RETRY);
      });
  }

  // --- Activity: typing or tapping pings the keepalive, at most once every PING ------

  function sendPing() {
    clearTimeout(pendingPing);
    pendingPing = null;
    lastPing = Date.now();
    request("POST", cfg.keepaliveUrl).then(learn).catch(function () {
      timer = setTimeout(check, RETRY);
    });
  }

  function activity() {
    if (expiring || dialog.open) return;
    var since = Date.now() - lastPing;
    if (since >= PING) sendPing();
    else if (!pendingPing) pendingPing = setTimeout(sendPing, PING - since);
  }

  ["keydown", "input", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, activity, { capture: true, passive: true });
  });

  function markChanged(event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute("data-keep-draft")) form.dataset.keepDraftChanged = "1";
  }
  document.addEventListener("input", markChanged, true);
  document.addEventListener("change", markChanged, true);

  // --- The warning ------------------------------------------------------------------

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function clock(seconds) {
    var s = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    countdownText.textContent = clock(secondsLeft());
  }

  function showWarning() {
    if (dialog.open) return;
    tick();
    dialog.showModal();
    stay.focus();
    announce.textContent =
      "You will be signed out in " + secondsLeft() +
      " seconds without activity. Choose Stay signed in to carry on.";
    countdown = setInterval(tick, 1000);
  }

  function hideWarning() {
    clearInterval(countdown);
    if (dialog.open) dialog.close();
    announce.textContent = "";
  }

  stay.addEventListener("click", function () {
    hideWarning();
    sendPing();
  });
  // Escape is a deliberate answer too: the person is there.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    hideWarning();
    sendPing();
  });

  // --- At the limit: keep the drafts, sign out, go to the login page -----------------

  function fieldsOf(form, each) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIPPED.indexOf((el.type || "").toLowerCase()) >= 0) return;
      each(el);
    });
  }

  function changedFields() {
    var fields = {};
    document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      if (!form.dataset.keepDraftChanged) return;
      fieldsOf(form, function (el) {
        var values = fields[el.name] || (fields[el.name] = []);
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked) values.push(el.value);
        } else if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.selectedOptions, function (option) {
            values.push(option.value);
          });
        } else {
          values.push(el.value);
        }
      });
    });
    return fields;
  }

  function expire() {
    if (expiring) return;
    expiring = true;
    clearTimeout(timer);
    clearTimeout(pendingPing);
    request("POST", cfg.expireUrl, {
      path: window.location.pathname,
      next: window.location.pathname + window.location.search,
      fields: changedFields(),
    })
      .then(function (answer) {
        expiring = false;
        if (answer.signed_in) learn(answer);
        else window.location.assign(answer.login_url);
      })
      .catch(function () {
        expiring = false;
        timer = setTimeout(check, RETRY);
      });
  }

  // --- Back again: put a kept draft into the form ----------------------------------

  function restore(data) {
    var touched = [];
    document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
      var filled = false;
      var position = {};
      fieldsOf(form, function (el) {
        if (!Object.prototype.hasOwnProperty.call(data, el.name)) return;
        var values = data[el.name];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = values.indexOf(el.value) >= 0;
          if (el.checked) touched.push(el);
        } else if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.options, function (option) {
            option.selected = values.indexOf(option.value) >= 0;
          });
          touched.push(el);
        } else {
          // Several text fields of one name take the values in order.
          var i = position[el.name] || 0;
          if (i < values.length) el.value = values[i];
          position[el.name] = i + 1;
        }
        filled = true;
      });
      if (filled) form.dataset.keepDraftChanged = "1";
    });
    // Only now, with every value in place: the pages' own scripts react to choices
    // (the note's format shows its sections; the roll call fills minutes).
    touched.forEach(function (el) {
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
    return touched.length > 0 || document.querySelector("form[data-keep-draft-changed]");
  }

  var kept = document.getElementById("kept-draft");
  if (kept) {
    var notice = document.getElementById("kept-draft-notice");
    if (restore(JSON.parse(kept.textContent)) && notice) notice.hidden = false;
  }

  schedule();
})();
