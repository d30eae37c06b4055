// Public 名录: narrow the county list to the chosen 市州.
(function () {
  "use strict";
  var city = document.getElementById("id_city");
  var county = document.getElementById("id_county");
  if (!city || !county) { return; }
  function sync() {
    county.querySelectorAll("option[data-city]").forEach(function (opt) {
      var hide = city.value !== "" && opt.getAttribute("data-city") !== city.value;
      opt.hidden = hide;
      if (hide && opt.selected) { county.value = ""; }
    });
  }
  city.addEventListener("change", sync);
  sync();
})();
