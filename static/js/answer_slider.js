// Pairs each 0–100 number field with a slider (forms/measures.py): the number is the
// answer, so without this script the field alone works. The slider starts unset-looking
// in the middle and writes the number only once it is moved, so nobody answers 50 by
// leaving it alone.
(function () {
  "use strict";
  document.querySelectorAll("[data-slider]").forEach(function (box) {
    var row = box.querySelector("[data-slider-range]");
    var range = row && row.querySelector("input[type=range]");
    var number = box.querySelector("input[type=number]");
    if (!range || !number) return;
    row.hidden = false;
    if (number.value !== "") range.value = number.value;
    range.addEventListener("input", function () { number.value = range.value; });
    number.addEventListener("input", function () {
      if (number.value !== "") range.value = number.value;
    });
  });
})();
