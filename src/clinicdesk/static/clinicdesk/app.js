// Clinicdesk shell behaviour. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";

  // "/" jumps to the global patient search from anywhere except a text field.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                            target.tagName === "SELECT" || target.isContentEditable);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var box = document.getElementById("global-search-input");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
    if (event.key === "Escape") {
      var popup = document.getElementById("global-search-results");
      if (popup) { popup.innerHTML = ""; }
    }
  });

  // Let htmx swap our clear error answers (409, 422) into the page instead of ignoring them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422 || status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After the idle limit the server signs the user out; reload then so no patient data stays on screen.
  var idle = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  if (idle > 0 && document.querySelector(".topbar")) {
    var timer;
    var reset = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.reload(); }, (idle + 5) * 1000);
    };
    ["keydown", "mousedown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    document.addEventListener("htmx:afterRequest", reset);
    reset();
  }

  // A form marked data-confirm asks first (deactivating a record, reversing a ledger line).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
