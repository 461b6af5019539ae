// The song picker filters as one types. Without this script, "Search songs" posts the
// form and the page comes back with the same list and everything typed kept.
(function () {
  "use strict";
  var form = document.querySelector("form.plan-item-form");
  if (!form) return;
  var select = form.querySelector("select[name=song]");
  var status = form.querySelector("[data-song-count]");
  var searchAction = form.querySelector("[data-song-search-action]");
  var saveButton = form.querySelector("[data-save-button]");
  var url = form.dataset.songChoicesUrl;
  var FILTERS = ["q", "goal_area", "theme", "substance_use", "key", "tempo_min", "tempo_max"];
  if (!select || !status || !url) return;

  var timer = null;
  var latest = 0;

  function isFilter(element) {
    return element && FILTERS.indexOf(element.name) >= 0 && form.contains(element);
  }

  function describe(count, more) {
    var limit = status.dataset.limit;
    if (more) {
      return "More than " + limit + " songs match: the list shows the first " + limit +
        ". Narrow the search to find the rest.";
    }
    if (count === 0) return "No song in the library matches this search.";
    return count + (count === 1 ? " song" : " songs") + " to choose from.";
  }

  function show(data) {
    var chosen = select.value;
    var empty = select.querySelector("option[value='']");
    select.replaceChildren();
    if (empty) select.appendChild(empty);
    data.songs.forEach(function (song) {
      select.appendChild(new Option(song.label, String(song.id), false, String(song.id) === chosen));
    });
    select.value = chosen;
    status.textContent = data.errors.length ? data.errors.join(" ") : describe(data.songs.length, data.more);
  }

  function refresh() {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field.value) params.set(name, field.value);
    });
    if (select.value) params.set("song", select.value);
    var ticket = ++latest;
    fetch(url + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (ticket === latest) show(data);
      })
      .catch(function () {
        // The button still works: say so rather than leave a stale list unexplained.
        if (ticket !== latest) return;
        status.textContent = "The list could not be updated. Use “Search songs” instead.";
        if (searchAction) searchAction.classList.remove("d-none");
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  }

  form.addEventListener("input", function (event) {
    if (isFilter(event.target)) soon();
  });
  form.addEventListener("change", function (event) {
    if (isFilter(event.target)) soon();
  });
  // Enter in a search box filters at once; Enter anywhere else saves, as it would on a
  // form without a search in it (without this, the first button, "Search songs", wins).
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    if (isFilter(event.target)) {
      window.clearTimeout(timer);
      refresh();
    } else if (saveButton) {
      form.requestSubmit(saveButton);
    }
  });
  if (searchAction) searchAction.classList.add("d-none");
})();
