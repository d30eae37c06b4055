// Hall-screen board: reload every N seconds (data-refresh-seconds on <body>) and tick the clock.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-refresh-seconds"), 10) || 60;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  var clock = document.getElementById("registry-board-clock");
  if (clock) {
    window.setInterval(function () {
      var d = new Date();
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      clock.textContent = d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 " +
        pad(d.getHours()) + ":" + pad(d.getMinutes());
    }, 15000);
  }
})();
