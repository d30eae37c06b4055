/* Charts of the monitoring pages and the home dashboard, drawn with the vendored Chart.js
   (static/vendor/chartjs). No inline script (CSP): each <canvas data-chart="ID"> reads its
   data from the json_script element #ID: {title, labels, series: [{name, colour, values}],
   type ("line" or "bar"), y_title}. The plain table beside each chart carries the same
   numbers for screen readers, export and the no-script view. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }

  // Values above the points when there are few enough of them to read.
  var pointValues = {
    id: "pointValues",
    afterDatasetsDraw: function (chart) {
      var count = chart.data.labels.length;
      if (count > 16) { return; }
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "11px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        ctx.fillStyle = dataset.borderColor;
        meta.data.forEach(function (point, j) {
          ctx.fillText(String(dataset.data[j]), point.x, point.y - 4);
        });
      });
      ctx.restore();
    }
  };

  var charts = [];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var type = data.type || "line";
    charts.push(new window.Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s) {
          return {
            label: s.name, data: s.values, borderColor: s.colour, backgroundColor: s.colour,
            borderWidth: 2, pointRadius: data.labels.length > 60 ? 0 : 3, tension: 0.2, fill: false
          };
        })
      },
      plugins: [pointValues],
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        layout: { padding: { top: 16 } },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          title: { display: Boolean(data.title), text: data.title }
        },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 45, minRotation: 0 } },
          y: {
            beginAtZero: true,
            max: data.y_max || undefined,
            ticks: { precision: 0 },
            title: { display: Boolean(data.y_title), text: data.y_title }
          }
        }
      }
    }));
  });

  // Printing: redraw at the paper width, and back afterwards.
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
