// Front desk: live wait timers and the payment form's method fields. A file: the CSP allows no inline script.
(function () {
  "use strict";

  function fill(fmt, h, m) { return fmt.replace("%(h)s", String(h)).replace("%(m)s", m); }

  // Every element with data-since (an ISO instant) shows how long since then as a duration ("12 min",
  // "1 h 05 min", in the page's language: the formats come in data-fmt-min / data-fmt-hour), never a clock.
  // data-warn-minutes (the practice's wait target) marks a longer wait late and shows its words.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (isNaN(since)) { return; }
      var minutes = Math.max(0, Math.floor((now - since) / 60000));
      var h = Math.floor(minutes / 60), m = minutes % 60;
      var fmtMin = el.getAttribute("data-fmt-min") || "%(m)s min";
      var fmtHour = el.getAttribute("data-fmt-hour") || "%(h)s h %(m)s min";
      el.textContent = h ? fill(fmtHour, h, (m < 10 ? "0" : "") + m) : fill(fmtMin, 0, String(m));
      if (el.tagName === "TIME") { el.setAttribute("datetime", h ? "PT" + h + "H" + m + "M" : "PT" + m + "M"); }
      var warn = el.getAttribute("data-warn-minutes");
      if (warn === null) { return; }
      var late = minutes >= parseInt(warn, 10);
      el.classList.toggle("late", late);
      var note = el.nextElementSibling;
      if (note && note.classList.contains("late-note")) { note.hidden = !late; }
      var holder = el.closest(".board-card, tr");
      if (holder) { holder.classList.toggle("is-late", late); }
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
