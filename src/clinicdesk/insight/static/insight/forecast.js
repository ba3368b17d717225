/* Insight demand forecast (#22): draws <canvas data-forecast="ID"> from the JSON in <script id="ID"> (json_script)
   with Chart.js served by the app: the expected requests as a line, the 80 % and 95 % intervals as shaded bands,
   weeks over capacity as red points. No inline script or style (CSP). The numbers are in the table and the CSV. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-forecast"));
    if (!source || typeof window.Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    var band = function (label, data, fillTo, colour) {
      return { label: label, data: data, borderWidth: 0, pointRadius: 0, backgroundColor: colour,
               fill: fillTo, tension: 0.2 };
    };
    var datasets = [
      band(spec.names.band95, spec.hi95, false, "rgba(47, 111, 159, 0.12)"),
      band("", spec.lo95, "-1", "rgba(47, 111, 159, 0.12)"),
      band(spec.names.band80, spec.hi80, false, "rgba(47, 111, 159, 0.25)"),
      band("", spec.lo80, "-1", "rgba(47, 111, 159, 0.25)"),
      { label: spec.names.mean, data: spec.mean, borderColor: "#2f6f9f", backgroundColor: "#2f6f9f", borderWidth: 2,
        fill: false, tension: 0.2,
        pointRadius: spec.flagged.map(function (f) { return f ? 6 : 2; }),
        pointBackgroundColor: spec.flagged.map(function (f) { return f ? "#c8463b" : "#2f6f9f"; }),
        pointBorderColor: spec.flagged.map(function (f) { return f ? "#c8463b" : "#2f6f9f"; }) }
    ];
    canvas.chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: lang,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { filter: function (item) { return item.text !== ""; } } },
          tooltip: { filter: function (item) { return item.dataset.label !== ""; }, callbacks: {
            label: function (item) {
              var i = item.dataIndex;
              if (item.datasetIndex === 0) { return spec.names.band95 + ": " + number.format(spec.lo95[i]) + " – " + number.format(spec.hi95[i]); }
              if (item.datasetIndex === 2) { return spec.names.band80 + ": " + number.format(spec.lo80[i]) + " – " + number.format(spec.hi80[i]); }
              return item.dataset.label + ": " + number.format(item.raw) + (spec.flagged[i] ? " · " + spec.names.flagged : "");
            } } } },
        scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } },
                  y: { beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } } }
      }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function drawAll() { document.querySelectorAll("canvas[data-forecast]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
