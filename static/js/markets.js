// Market form: add opening periods from the formset template; show industry/township by kind.
(function () {
  "use strict";
  var form = document.getElementById("market-form");
  if (!form) { return; }
  var addButton = form.querySelector("[data-add-period]");
  var template = document.getElementById("period-template");
  var total = form.querySelector("input[name=hours-TOTAL_FORMS]");
  var container = document.getElementById("periods");
  if (addButton && template && total && container) {
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }
  var kind = form.querySelector("select[name=kind]");
  function sync() {
    form.querySelectorAll("[data-kind-show]").forEach(function (el) {
      el.hidden = !kind || el.getAttribute("data-kind-show") !== kind.value;
    });
  }
  if (kind) { kind.addEventListener("change", sync); sync(); }
})();
