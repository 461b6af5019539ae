// Show only the sections of the chosen note format (SOAP or DAP). Without this script
// every section shows, and the hidden ones keep their text either way.
(function () {
  "use strict";
  var form = document.querySelector("form.note-form");
  if (!form) return;
  function show() {
    var checked = form.querySelector("input[name=format]:checked");
    if (!checked) return;
    form.querySelectorAll(".note-section").forEach(function (section) {
      var formats = (section.dataset.formats || "").split(" ");
      section.hidden = formats.indexOf(checked.value) < 0;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "format") show();
  });
  show();
})();
