// Drag to reorder a session plan. The Up and Down buttons stay: they are forms that work
// without this script and from the keyboard. One drop sends the whole order in one
// request; the page renumbers itself from the answer, or puts the list back and says why.
(function () {
  "use strict";
  var list = document.querySelector("ol.plan-list[data-reorder-url]");
  if (!list || typeof Sortable === "undefined") return;
  var status = document.querySelector("[data-plan-status]");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var before = [];

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > li[data-item-id]"));
  }

  function say(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("alert", !!failed);
    status.classList.toggle("alert-danger", !!failed);
    status.classList.toggle("plan-status-saved", !failed);
  }

  function renumber() {
    var all = rows();
    all.forEach(function (row, index) {
      var position = index + 1;
      var badge = row.querySelector("[data-position]");
      if (badge) badge.textContent = String(position);
      var up = row.querySelector("[data-move=up]");
      var down = row.querySelector("[data-move=down]");
      if (up) {
        up.disabled = index === 0;
        up.setAttribute("aria-label", "Move activity " + position + " up");
      }
      if (down) {
        down.disabled = index === all.length - 1;
        down.setAttribute("aria-label", "Move activity " + position + " down");
      }
    });
  }

  function putBack(order) {
    order.forEach(function (id) {
      var row = list.querySelector(":scope > li[data-item-id='" + id + "']");
      if (row) list.appendChild(row);
    });
    renumber();
  }

  function save() {
    var order = rows().map(function (row) { return row.dataset.itemId; });
    var previous = before;
    var body = new URLSearchParams();
    order.forEach(function (id) { body.append("item", id); });
    renumber();
    say("Saving the new order…", false);
    fetch(list.dataset.reorderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
      body: body,
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.error || "");
          return data;
        }, function () {
          throw new Error("");
        });
      })
      .then(function () {
        say("New order saved.", false);
      })
      .catch(function (error) {
        putBack(previous);
        say(error.message || "The new order could not be saved. Reload the page and try again.", true);
      });
  }

  Sortable.create(list, {
    handle: ".plan-handle",
    draggable: "li[data-item-id]",
    animation: 150,
    onStart: function () {
      before = rows().map(function (row) { return row.dataset.itemId; });
    },
    onEnd: function (event) {
      if (event.oldIndex !== event.newIndex) save();
    },
  });
  list.querySelectorAll(".plan-handle").forEach(function (handle) {
    handle.classList.remove("d-none");
  });
  var hint = document.querySelector("[data-plan-drag-hint]");
  if (hint) hint.classList.remove("d-none");
})();
