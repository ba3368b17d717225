/* Insight dashboards (#22): draws each <canvas data-chart="ID"> from the JSON in <script id="ID"> (json_script),
   with Chart.js served by the app (static/vendor/chart.umd.min.js). No inline script or style: the page's CSP
   holds. The same numbers are in the table under each chart and in its CSV. */
(function () {
  "use strict";
  var palette = ["#2f6f9f", "#d9822b", "#3f9b6b", "#a05195", "#c8463b", "#7a7f87", "#5b8def", "#b59b2a"];
  var lang = document.documentElement.lang || "en";

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var line = spec.type === "line";
    var datasets = spec.datasets.map(function (set, i) {
      var colour = palette[i % palette.length];
      return { label: set.label, data: set.data, backgroundColor: colour, borderColor: colour,
               borderWidth: line ? 2 : 0, pointRadius: line ? 2 : 0, spanGaps: true, tension: 0.2 };
    });
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    canvas.chart = new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: lang,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" },
                   tooltip: { callbacks: { label: function (item) {
                     var value = item.raw === null ? "—" : number.format(item.raw) + (spec.percent ? " %" : "");
                     return item.dataset.label + ": " + value; } } } },
        scales: { x: { stacked: !!spec.stacked, ticks: { autoSkip: true, maxRotation: 0 } },
                  y: { stacked: !!spec.stacked, beginAtZero: true,
                       ticks: { precision: spec.whole ? 0 : undefined, callback: function (v) { return number.format(v) + (spec.percent ? " %" : ""); } } } }
      }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
