// Roll call niceties; the form works the same without them.
(function () {
  "use strict";
  var form = document.querySelector("form.roll-call");
  if (!form) return;
  var NO_MINUTES = ["excused", "absent"];

  form.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.type !== "radio") return;
    var row = radio.closest(".roll-call-row");
    var minutes = row && row.querySelector("input[type=number]");
    if (!minutes) return;
    if (NO_MINUTES.indexOf(radio.value) >= 0) {
      minutes.value = "";
    } else if (radio.value === "present") {
      // Present means the whole session; minutes typed after choosing it still count.
      minutes.value = row.dataset.defaultMinutes;
    }
  });

  var allPresent = form.querySelector("[data-roll-call=all-present]");
  if (allPresent && !form.querySelector("fieldset[disabled]")) {
    allPresent.classList.remove("d-none");
    allPresent.addEventListener("click", function () {
      form.querySelectorAll(".roll-call-row").forEach(function (row) {
        if (row.querySelector("input[type=radio]:checked")) return;
        var present = row.querySelector("input[type=radio][value=present]");
        if (present) {
          present.checked = true;
          present.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  }
})();
