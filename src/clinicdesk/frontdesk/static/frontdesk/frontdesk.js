// Front desk: live wait timers and the payment form's method fields. A file: the CSP allows no inline script.
(function () {
  "use strict";

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  // Every element with data-since (an ISO instant) shows the time elapsed since then, every second.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (isNaN(since)) { return; }
      var seconds = Math.max(0, Math.floor((now - since) / 1000));
      var minutes = Math.floor(seconds / 60);
      el.textContent = (minutes >= 60 ? Math.floor(minutes / 60) + ":" + pad(minutes % 60) : String(minutes)) +
        ":" + pad(seconds % 60);
      var warn = parseInt(el.getAttribute("data-warn-minutes") || "20", 10);
      el.classList.toggle("late", minutes >= warn);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);

  // Payment forms: show only the fields the chosen method needs.
  function syncMethod(form) {
    var select = form.querySelector("select[name=method]");
    if (!select) { return; }
    form.querySelectorAll("[data-method]").forEach(function (box) {
      var on = box.getAttribute("data-method") === select.value;
      box.hidden = !on;
      box.querySelectorAll("input").forEach(function (input) { input.required = on; });
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "method" && event.target.form) { syncMethod(event.target.form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.payment").forEach(syncMethod);
  });
})();
