// 即时快招 pages: the agreement's print button, and one submission per 对接 form.
(function () {
  "use strict";
  document.querySelectorAll("[data-matching-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A second click on a 对接 button does nothing (the server also ignores a repeated token).
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector(".matching-once")) { return; }
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted) { event.preventDefault(); return; }
      form.dataset.submitted = "1";
      window.setTimeout(function () {
        form.querySelectorAll(".matching-once").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
