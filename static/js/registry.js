// Clerk pages: keyboard shortcuts for the window buttons, and upper-casing the 身份证号 as typed.
(function () {
  "use strict";
  // On the desk, keys 1-4 (outside text fields) press the matching window button.
  var buttons = document.querySelectorAll(".registry-window-btn");
  if (buttons.length) {
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var index = parseInt(event.key, 10) - 1;
      if (index >= 0 && index < buttons.length) {
        event.preventDefault();
        buttons[index].click();
      }
    });
  }
  // 身份证号: show a lower-case x as X while typing (the server normalises anyway).
  var idField = document.getElementById("id_id_number");
  if (idField) {
    idField.addEventListener("input", function () {
      var v = idField.value;
      if (/x/.test(v)) { idField.value = v.replace(/x/g, "X"); }
    });
  }
})();
